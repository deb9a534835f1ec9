//! Dialog lists: ordering, pinning, paging, read state.

use anyhow::Result;
use echo_storage::{DialogQuery, DialogRecord, Peer, StorageError};

use crate::harness::Ctx;
use crate::message_cases::text;

const ALICE: i64 = 1_000_000;

fn peers(list: &[DialogRecord]) -> Vec<Peer> {
    list.iter().map(|d| d.peer).collect()
}

fn page(limit: i32) -> DialogQuery {
    DialogQuery {
        limit,
        ..Default::default()
    }
}

/// The query a client sends for the page after `last`.
fn after(last: &DialogRecord, limit: i32, exclude_pinned: bool) -> DialogQuery {
    DialogQuery {
        offset_date: last.top_date,
        offset_id: last.top_message,
        offset_peer: Some(last.peer),
        limit,
        exclude_pinned,
    }
}

pub async fn dialogs_ordering_and_paging(ctx: Ctx) -> Result<()> {
    let dialogs = &ctx.storage.dialogs;
    let (a, b, c, d) = (
        Peer::User(2_000_001),
        Peer::Chat(5),
        Peer::Channel(9),
        Peer::User(2_000_002),
    );
    dialogs.upsert_on_message(ALICE, a, 1, 100, true).await?;
    dialogs.upsert_on_message(ALICE, b, 2, 200, false).await?;
    dialogs.upsert_on_message(ALICE, c, 3, 200, true).await?;
    dialogs.upsert_on_message(ALICE, d, 4, 50, true).await?;
    assert_eq!(dialogs.count(ALICE).await?, 4);
    assert_eq!(dialogs.count(ALICE + 1).await?, 0);

    // Newest date first; equal dates by newer top message.
    assert_eq!(
        peers(&dialogs.list(ALICE, page(0)).await?),
        vec![c, b, a, d]
    );

    // Paging without pins: each page continues strictly after the previous one.
    let first = dialogs.list(ALICE, page(2)).await?;
    assert_eq!(peers(&first), vec![c, b]);
    let second = dialogs.list(ALICE, after(&first[1], 2, true)).await?;
    assert_eq!(peers(&second), vec![a, d]);
    assert!(dialogs
        .list(ALICE, after(&second[1], 2, true))
        .await?
        .is_empty());

    // An older message does not move the top back; a newer one moves the dialog up.
    dialogs.upsert_on_message(ALICE, a, 0, 10, false).await?;
    assert_eq!(
        dialogs
            .get(ALICE, a)
            .await?
            .map(|x| (x.top_message, x.top_date)),
        Some((1, 100))
    );
    dialogs.upsert_on_message(ALICE, a, 5, 300, false).await?;
    assert_eq!(
        peers(&dialogs.list(ALICE, page(10)).await?),
        vec![a, c, b, d]
    );

    // Pinned dialogs come first, the latest pinned on top.
    dialogs.set_pinned(ALICE, b, true).await?;
    dialogs.set_pinned(ALICE, d, true).await?;
    let all = dialogs.list(ALICE, page(10)).await?;
    assert_eq!(peers(&all), vec![d, b, a, c]);
    assert!(all[0].pinned && all[1].pinned && !all[2].pinned);
    assert_eq!(
        peers(
            &dialogs
                .list(
                    ALICE,
                    DialogQuery {
                        exclude_pinned: true,
                        ..page(10)
                    }
                )
                .await?
        ),
        vec![a, c]
    );

    // A page that ends inside the pinned block continues there, then with the rest.
    let first = dialogs.list(ALICE, page(1)).await?;
    assert_eq!(peers(&first), vec![d]);
    let second = dialogs.list(ALICE, after(&first[0], 2, false)).await?;
    assert_eq!(peers(&second), vec![b, a]);
    let third = dialogs.list(ALICE, after(&second[1], 2, true)).await?;
    assert_eq!(peers(&third), vec![c]);
    // Clients that page with exclude_pinned from a pinned dialog get every unpinned one.
    assert_eq!(
        peers(&dialogs.list(ALICE, after(&second[0], 5, true)).await?),
        vec![a, c]
    );

    dialogs.set_pinned(ALICE, d, false).await?;
    assert_eq!(
        peers(&dialogs.list(ALICE, page(10)).await?),
        vec![b, a, c, d]
    );
    assert!(matches!(
        dialogs.set_pinned(ALICE, Peer::User(1), true).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        dialogs.set_pinned(ALICE, Peer::User(1), false).await,
        Err(StorageError::NotFound)
    ));
    Ok(())
}

pub async fn dialogs_read_state(ctx: Ctx) -> Result<()> {
    let dialogs = &ctx.storage.dialogs;
    let messages = &ctx.storage.messages;
    let bob = Peer::User(2_000_001);
    // Box: 1 out, 2 in, 3 in, 4 out, 5 in.
    for (i, out) in [true, false, false, true, false].into_iter().enumerate() {
        let date = 100 + i as i64;
        let stored = messages
            .append(ALICE, text(bob, out, date, "m"))
            .await?
            .into_message();
        dialogs
            .upsert_on_message(ALICE, bob, stored.id, date, !out)
            .await?;
    }
    let d = dialogs.get(ALICE, bob).await?.expect("dialog");
    assert_eq!((d.top_message, d.top_date, d.unread_count), (5, 104, 3));
    assert_eq!((d.read_inbox_max_id, d.read_outbox_max_id), (0, 0));
    assert!(!d.pinned && !d.unread_mark);

    let d = dialogs
        .set_read_inbox(ALICE, bob, 2)
        .await?
        .expect("dialog");
    assert_eq!((d.read_inbox_max_id, d.unread_count), (2, 2));
    // Reading never goes backwards.
    let d = dialogs
        .set_read_inbox(ALICE, bob, 1)
        .await?
        .expect("dialog");
    assert_eq!((d.read_inbox_max_id, d.unread_count), (2, 2));

    dialogs.set_unread_mark(ALICE, bob, true).await?;
    assert!(dialogs.get(ALICE, bob).await?.expect("dialog").unread_mark);
    let d = dialogs
        .set_read_inbox(ALICE, bob, 5)
        .await?
        .expect("dialog");
    assert_eq!(
        (d.read_inbox_max_id, d.unread_count, d.unread_mark),
        (5, 0, false)
    );

    // An incoming message already covered by the read marker is not unread.
    dialogs.upsert_on_message(ALICE, bob, 4, 103, true).await?;
    assert_eq!(
        dialogs.get(ALICE, bob).await?.map(|d| d.unread_count),
        Some(0)
    );

    let d = dialogs
        .set_read_outbox(ALICE, bob, 4)
        .await?
        .expect("dialog");
    assert_eq!(d.read_outbox_max_id, 4);
    let d = dialogs
        .set_read_outbox(ALICE, bob, 1)
        .await?
        .expect("dialog");
    assert_eq!(d.read_outbox_max_id, 4);

    let nobody = Peer::Chat(404);
    assert_eq!(dialogs.get(ALICE, nobody).await?, None);
    assert_eq!(dialogs.set_read_inbox(ALICE, nobody, 3).await?, None);
    assert_eq!(dialogs.set_read_outbox(ALICE, nobody, 3).await?, None);
    assert!(matches!(
        dialogs.set_unread_mark(ALICE, nobody, true).await,
        Err(StorageError::NotFound)
    ));
    Ok(())
}
