//! The updates log (core.telegram.org/api/updates): logged appends, edits, deletions and
//! reads on two boxes of one private chat, message links, and reading the log back.

use anyhow::Result;
use echo_storage::{
    AppendOutcome, BoxChange, MessageEdit, MessageOrigin, NewBoxMessage, Peer, UpdateEncoder,
    UpdateKind,
};

use crate::harness::Ctx;

const ALICE: i64 = 1_000_000;
const BOB: i64 = 1_000_001;

/// A readable stand-in for TL: the change's kind, pts and ids as text.
struct TextEncoder;

impl UpdateEncoder for TextEncoder {
    fn encode(&self, change: &BoxChange<'_>) -> Vec<u8> {
        match change {
            BoxChange::NewMessage(m) => format!("new {} {}", m.id, m.pts),
            BoxChange::EditMessage(m) => format!("edit {} {}", m.id, m.pts),
            BoxChange::DeleteMessages { ids, pts, .. } => format!("del {ids:?} {pts}"),
            BoxChange::ReadInbox { dialog, pts } => {
                format!("inbox {} {pts}", dialog.read_inbox_max_id)
            }
            BoxChange::ReadOutbox { dialog, pts } => {
                format!("outbox {} {pts}", dialog.read_outbox_max_id)
            }
        }
        .into_bytes()
    }
}

fn text(owner: i64, other: i64, out: bool, random_id: Option<i64>, body: &str) -> NewBoxMessage {
    NewBoxMessage {
        peer: Peer::User(other),
        from_id: if out { owner } else { other },
        out,
        date: 100,
        message: body.to_owned(),
        entities: Vec::new(),
        media: Vec::new(),
        reply_to_msg_id: None,
        random_id,
        fwd: Vec::new(),
        grouped_id: None,
    }
}

/// Alice sends to Bob: outbox copy, then Bob's inbox copy linked to it.
async fn send(ctx: &Ctx, random_id: i64, body: &str) -> Result<(i32, i32)> {
    let log = &ctx.storage.updates_log;
    let mine = log
        .append_message(
            ALICE,
            text(ALICE, BOB, true, Some(random_id), body),
            MessageOrigin::Own,
            &TextEncoder,
        )
        .await?
        .into_message();
    let theirs = log
        .append_message(
            BOB,
            text(BOB, ALICE, false, None, body),
            MessageOrigin::CopyOf {
                user_id: ALICE,
                message_id: mine.id,
            },
            &TextEncoder,
        )
        .await?
        .into_message();
    Ok((mine.id, theirs.id))
}

fn body(update: &echo_storage::LoggedUpdate) -> String {
    String::from_utf8_lossy(&update.body).into_owned()
}

pub async fn two_sided_messages_are_logged(ctx: Ctx) -> Result<()> {
    let log = &ctx.storage.updates_log;
    // Bob's box already has a message of its own, so the ids of the two copies differ.
    log.append_message(
        BOB,
        text(BOB, BOB, true, None, "note"),
        MessageOrigin::Own,
        &TextEncoder,
    )
    .await?;
    let (a1, b1) = send(&ctx, 11, "hello").await?;
    let (a2, b2) = send(&ctx, 12, "again").await?;
    assert_eq!((a1, a2, b1, b2), (1, 2, 2, 3));

    // A retried random_id returns the same message and logs nothing.
    let again = log
        .append_message(
            ALICE,
            text(ALICE, BOB, true, Some(11), "hello"),
            MessageOrigin::Own,
            &TextEncoder,
        )
        .await?;
    assert!(matches!(again, AppendOutcome::Existing(ref m) if m.id == a1));

    let alice_log = log.updates_after(ALICE, 0, 100).await?;
    assert_eq!(
        alice_log.iter().map(body).collect::<Vec<_>>(),
        vec!["new 1 2", "new 2 3"]
    );
    assert!(alice_log.iter().all(|u| u.kind == UpdateKind::NewMessage));
    assert_eq!(log.updates_after(BOB, 2, 100).await?.len(), 2);
    assert_eq!(log.updates_after(BOB, 0, 1).await?.len(), 1, "limit");

    // Dialogs on both sides: Bob has two unread.
    let bob_dialog = ctx.storage.dialogs.get(BOB, Peer::User(ALICE)).await?;
    let bob_dialog = bob_dialog.ok_or_else(|| anyhow::anyhow!("bob's dialog"))?;
    assert_eq!((bob_dialog.top_message, bob_dialog.unread_count), (b2, 2));
    let alice_dialog = ctx.storage.dialogs.get(ALICE, Peer::User(BOB)).await?;
    let alice_dialog = alice_dialog.ok_or_else(|| anyhow::anyhow!("alice's dialog"))?;
    assert_eq!(
        (alice_dialog.top_message, alice_dialog.unread_count),
        (a2, 0)
    );

    // Links translate between the boxes.
    let copies = log.copies_of(ALICE, &[a1]).await?;
    let mut owners: Vec<_> = copies.iter().map(|l| (l.user_id, l.message_id)).collect();
    owners.sort_unstable();
    assert_eq!(owners, vec![(ALICE, a1), (BOB, b1)]);
    let links = log.links_of(BOB, &[b2]).await?;
    assert_eq!(links.len(), 1);
    assert_eq!(
        (links[0].origin_user_id, links[0].origin_message_id),
        (ALICE, a2)
    );
    assert_eq!(log.max_origin_id(BOB, ALICE, b1).await?, Some(a1));
    assert_eq!(log.max_origin_id(BOB, ALICE, 1).await?, None);
    Ok(())
}

pub async fn edits_deletes_and_reads_advance_pts(ctx: Ctx) -> Result<()> {
    let log = &ctx.storage.updates_log;
    let (a1, b1) = send(&ctx, 21, "one").await?;
    let (a2, b2) = send(&ctx, 22, "two").await?;

    // Bob reads the first message; Alice learns it as an outbox read.
    let read = log
        .read_inbox(BOB, Peer::User(ALICE), b1, 200, &TextEncoder)
        .await?
        .ok_or_else(|| anyhow::anyhow!("dialog"))?;
    assert_eq!((read.pts, read.pts_count), (4, 1));
    assert_eq!(read.dialog.unread_count, 1);
    // Reading the same again changes nothing.
    let same = log
        .read_inbox(BOB, Peer::User(ALICE), b1, 201, &TextEncoder)
        .await?
        .ok_or_else(|| anyhow::anyhow!("dialog"))?;
    assert_eq!((same.pts, same.pts_count), (4, 0));
    let out = log
        .read_outbox(ALICE, Peer::User(BOB), a1, 200, &TextEncoder)
        .await?
        .ok_or_else(|| anyhow::anyhow!("dialog"))?;
    assert_eq!((out.dialog.read_outbox_max_id, out.pts), (a1, 4));
    assert!(log
        .read_inbox(BOB, Peer::User(12345), 1, 200, &TextEncoder)
        .await?
        .is_none());

    let edited = log
        .edit_message(
            ALICE,
            a2,
            MessageEdit {
                message: "two!".into(),
                entities: Vec::new(),
                media: Vec::new(),
                edit_date: 300,
            },
            &TextEncoder,
        )
        .await?;
    assert_eq!((edited.pts, edited.message.as_str()), (5, "two!"));

    // Deleting the top message moves the dialog back; unknown ids are ignored.
    let deleted = log
        .delete_messages(BOB, &[b2, 999], 400, &TextEncoder)
        .await?;
    assert_eq!(
        (deleted.deleted_ids.clone(), deleted.pts, deleted.pts_count),
        (vec![b2], 5, 1)
    );
    let dialog = ctx.storage.dialogs.get(BOB, Peer::User(ALICE)).await?;
    let dialog = dialog.ok_or_else(|| anyhow::anyhow!("dialog"))?;
    assert_eq!((dialog.top_message, dialog.unread_count), (b1, 0));
    assert!(log.links_of(BOB, &[b2]).await?.is_empty());
    let nothing = log.delete_messages(BOB, &[b2], 401, &TextEncoder).await?;
    assert_eq!((nothing.pts, nothing.pts_count), (5, 0));

    let bob_log: Vec<_> = log.updates_after(BOB, 3, 100).await?;
    assert_eq!(
        bob_log.iter().map(body).collect::<Vec<_>>(),
        vec![format!("inbox {b1} 4"), format!("del [{b2}] 5")]
    );
    let alice_log: Vec<_> = log.updates_after(ALICE, 3, 100).await?;
    assert_eq!(
        alice_log.iter().map(|u| u.kind).collect::<Vec<_>>(),
        vec![UpdateKind::ReadHistoryOutbox, UpdateKind::EditMessage]
    );
    let state = ctx.storage.update_states.get_state(BOB).await?;
    assert_eq!(state.pts, 5, "state and log agree");
    Ok(())
}

pub async fn drafts_per_dialog(ctx: Ctx) -> Result<()> {
    let drafts = &ctx.storage.drafts;
    let draft = |peer: Peer, date: i64, text: &str| echo_storage::DraftRecord {
        peer,
        date,
        message: text.to_owned(),
        entities: vec![1, 2],
        reply_to_msg_id: Some(3),
        no_webpage: true,
    };
    drafts
        .save(ALICE, draft(Peer::User(BOB), 10, "to bob"))
        .await?;
    drafts
        .save(ALICE, draft(Peer::User(ALICE), 20, "note"))
        .await?;
    drafts
        .save(ALICE, draft(Peer::User(BOB), 30, "to bob, again"))
        .await?;
    let got = drafts.get(ALICE, Peer::User(BOB)).await?;
    assert_eq!(got, Some(draft(Peer::User(BOB), 30, "to bob, again")));
    let all = drafts.list(ALICE).await?;
    assert_eq!(
        all.iter().map(|d| d.date).collect::<Vec<_>>(),
        vec![30, 20],
        "newest first, one per dialog"
    );
    assert!(drafts.list(BOB).await?.is_empty());
    assert!(drafts.clear(ALICE, Peer::User(BOB)).await?);
    assert!(!drafts.clear(ALICE, Peer::User(BOB)).await?);
    assert_eq!(drafts.get(ALICE, Peer::User(BOB)).await?, None);
    Ok(())
}
