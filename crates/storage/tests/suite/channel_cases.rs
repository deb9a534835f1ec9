//! Supergroups and broadcast channels (crate::channels): one message copy per channel, one
//! id and pts sequence per channel, participants with roles and read positions.

use anyhow::Result;
use echo_storage::{
    ChannelEdit, ChannelPhoto, ChannelRole, ChannelUpdateKind, HistoryQuery, NewChannel,
    NewChannelMessage, ParticipantFilter,
};

use crate::harness::Ctx;
use crate::user_cases::new_user;

fn new_channel(creator: i64, megagroup: bool) -> NewChannel {
    NewChannel {
        creator_id: creator,
        access_hash: 0x5eed,
        title: "Club".into(),
        about: "about".into(),
        broadcast: !megagroup,
        megagroup,
        date: 100,
        creator_rights: vec![1, 2, 3],
    }
}

fn text(from: i64, body: &str, random_id: i64) -> NewChannelMessage {
    NewChannelMessage {
        from_id: from,
        date: 200,
        message: body.into(),
        random_id: Some(random_id),
        ..NewChannelMessage::default()
    }
}

pub async fn channels_members_and_roles(ctx: Ctx) -> Result<()> {
    let users = &ctx.storage.users;
    let alice = users.create(new_user("15550001", "Alice")).await?.id;
    let bob = users.create(new_user("15550002", "Bob")).await?.id;
    let carol = users.create(new_user("15550003", "Carol")).await?.id;
    let channels = &ctx.storage.channels;
    let c = channels.create(new_channel(alice, true)).await?;
    let other = channels.create(new_channel(bob, false)).await?;
    assert_ne!(c.id, other.id);
    assert_eq!((c.pts, c.max_message_id, c.participants_count), (1, 0, 1));
    assert!(c.megagroup && !c.broadcast && other.broadcast);
    let creator = channels
        .participant(c.id, alice)
        .await?
        .expect("creator row");
    assert_eq!(creator.role, ChannelRole::Creator);
    assert_eq!(creator.admin_rights, vec![1, 2, 3]);

    assert!(channels.join(c.id, bob, alice, 110, false).await?);
    assert!(!channels.join(c.id, bob, alice, 111, false).await?, "once");
    assert!(channels.join(c.id, carol, carol, 112, false).await?);
    assert_eq!(channels.get(c.id).await?.expect("c").participants_count, 3);
    let (recent, total) = channels
        .participants(c.id, &ParticipantFilter::Recent, 0, 10)
        .await?;
    assert_eq!(total, 3);
    assert_eq!(recent[0].user_id, alice, "creator first");
    let (admins, n) = channels
        .participants(c.id, &ParticipantFilter::Admins, 0, 10)
        .await?;
    assert_eq!((admins.len(), n), (1, 1));
    let (found, _) = channels
        .participants(c.id, &ParticipantFilter::Search("caro".into()), 0, 10)
        .await?;
    assert_eq!(
        found.iter().map(|p| p.user_id).collect::<Vec<_>>(),
        vec![carol]
    );

    assert!(channels.leave(c.id, carol).await?);
    assert!(!channels.leave(c.id, carol).await?);
    assert_eq!(
        channels.participant(c.id, carol).await?.map(|p| p.role),
        Some(ChannelRole::Left)
    );
    let mut members = channels.member_ids(c.id).await?;
    members.sort_unstable();
    assert_eq!(members, vec![alice, bob]);
    assert!(
        channels.join(c.id, carol, carol, 113, true).await?,
        "rejoin"
    );
    let of_bob = channels.channels_of(bob).await?;
    assert_eq!(of_bob.len(), 2, "the one Bob created and the one he joined");
    assert!(of_bob
        .iter()
        .any(|(ch, p)| ch.id == c.id && p.role == ChannelRole::Member));
    assert!(channels.set_title(c.id, "Renamed").await?);
    assert!(channels.set_about(c.id, "new about").await?);
    let renamed = channels.get(c.id).await?.expect("c");
    assert_eq!(
        (renamed.title.as_str(), renamed.about.as_str()),
        ("Renamed", "new about")
    );
    Ok(())
}

pub async fn channel_posts_share_one_sequence(ctx: Ctx) -> Result<()> {
    let users = &ctx.storage.users;
    let alice = users.create(new_user("15550001", "Alice")).await?.id;
    let bob = users.create(new_user("15550002", "Bob")).await?.id;
    let channels = &ctx.storage.channels;
    let c = channels.create(new_channel(alice, true)).await?;
    channels.join(c.id, bob, alice, 110, false).await?;

    let first = channels.post(c.id, text(alice, "one", 1)).await?;
    assert!(first.created);
    assert_eq!((first.message.id, first.message.pts), (1, 2));
    let second = channels.post(c.id, text(bob, "two", 1)).await?;
    assert_eq!(
        (second.message.id, second.message.pts),
        (2, 3),
        "one sequence"
    );
    let again = channels.post(c.id, text(bob, "two", 1)).await?;
    assert!(!again.created);
    assert_eq!(again.message.id, 2);

    // Concurrent posters still get distinct, gap-free ids.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = ctx.storage.channels.clone();
        let id = c.id;
        tasks.push(tokio::spawn(async move {
            store.post(id, text(alice, "burst", 100 + i)).await
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await??.message.id);
    }
    ids.sort_unstable();
    assert_eq!(ids, (3..=10).collect::<Vec<_>>());
    let state = channels.get(c.id).await?.expect("c");
    assert_eq!((state.max_message_id, state.pts), (10, 11));

    let edited = channels
        .edit_message(
            c.id,
            1,
            ChannelEdit {
                message: "uno".into(),
                entities: Vec::new(),
                media: Vec::new(),
                edit_date: 300,
            },
        )
        .await?
        .expect("edited");
    assert_eq!(
        (edited.message.as_str(), edited.pts, edited.edit_date),
        ("uno", 12, Some(300))
    );
    let deleted = channels.delete_messages(c.id, &[2, 3, 999], 301).await?;
    assert_eq!(deleted.deleted_ids, vec![2, 3]);
    assert_eq!((deleted.pts, deleted.pts_count), (14, 2));
    let none = channels.delete_messages(c.id, &[2], 302).await?;
    assert_eq!((none.pts, none.pts_count), (14, 0));
    assert!(channels
        .edit_message(
            c.id,
            2,
            ChannelEdit {
                message: "gone".into(),
                entities: Vec::new(),
                media: Vec::new(),
                edit_date: 303,
            },
        )
        .await?
        .is_none());

    let log = channels.updates_after(c.id, 1, 100).await?;
    assert_eq!(log.len(), 12);
    assert_eq!(log[0].kind, ChannelUpdateKind::NewMessage);
    assert_eq!(log[0].message_ids, vec![1]);
    let tail = channels.updates_after(c.id, 11, 100).await?;
    assert_eq!(tail.len(), 2);
    assert_eq!(tail[0].kind, ChannelUpdateKind::EditMessage);
    assert_eq!(tail[1].kind, ChannelUpdateKind::DeleteMessages);
    assert_eq!(
        (tail[1].pts, tail[1].pts_count, tail[1].message_ids.clone()),
        (14, 2, vec![2, 3])
    );
    assert_eq!(channels.updates_after(c.id, 2, 3).await?.len(), 3, "limit");

    let page = channels
        .history(
            c.id,
            0,
            HistoryQuery {
                limit: 3,
                ..HistoryQuery::default()
            },
        )
        .await?;
    assert_eq!(
        page.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![10, 9, 8]
    );
    assert_eq!(channels.count_messages(c.id, 0).await?, 8);
    assert_eq!(
        channels.count_messages(c.id, 5).await?,
        5,
        "hidden pre-history"
    );
    assert_eq!(channels.top_message(c.id, 0).await?.map(|m| m.id), Some(10));
    let got = channels.messages(c.id, &[1, 2, 4]).await?;
    assert_eq!(got.iter().map(|m| m.id).collect::<Vec<_>>(), vec![1, 4]);

    // Bob joined before everything: unread are the live messages others sent.
    assert_eq!(channels.unread_count(c.id, bob, 0).await?, 8);
    let read = channels.read_inbox(c.id, bob, 5).await?;
    assert!(read.changed);
    assert_eq!((read.max_id, read.still_unread), (5, 5));
    assert!(
        !channels.read_inbox(c.id, bob, 4).await?.changed,
        "never back"
    );
    let capped = channels.read_inbox(c.id, bob, 1_000).await?;
    assert_eq!((capped.max_id, capped.still_unread), (10, 0));
    assert!(channels.read_outbox(c.id, alice, 4).await?);
    assert!(!channels.read_outbox(c.id, alice, 3).await?);
    Ok(())
}

pub async fn channel_photo_and_album_ids(ctx: Ctx) -> Result<()> {
    let alice = ctx
        .storage
        .users
        .create(new_user("15550001", "Alice"))
        .await?
        .id;
    let channels = &ctx.storage.channels;
    let c = channels.create(new_channel(alice, false)).await?;
    assert_eq!(c.photo, None);
    let photo = ChannelPhoto {
        photo_id: 0x7777_0000_0001,
        dc_id: 2,
        stripped: vec![1, 40, 40, 9, 9],
    };
    assert!(channels.set_photo(c.id, Some(&photo)).await?);
    assert_eq!(channels.get(c.id).await?.expect("c").photo, Some(photo));
    let no_thumb = ChannelPhoto {
        photo_id: 5,
        dc_id: 1,
        stripped: Vec::new(),
    };
    assert!(channels.set_photo(c.id, Some(&no_thumb)).await?);
    let listed = channels.get_many(&[c.id]).await?;
    assert_eq!(listed[0].photo, Some(no_thumb));
    assert!(channels.set_photo(c.id, None).await?);
    assert_eq!(channels.get(c.id).await?.expect("c").photo, None);
    assert!(!channels.set_photo(c.id + 1000, None).await?, "no channel");

    // Album items keep their grouped_id; lone posts have none.
    let mut item = text(alice, "", 1);
    item.media = vec![9, 9];
    item.grouped_id = Some(4242);
    let posted = channels.post(c.id, item).await?;
    assert_eq!(posted.message.grouped_id, Some(4242));
    let lone = channels.post(c.id, text(alice, "lone", 2)).await?;
    let stored = channels
        .messages(c.id, &[posted.message.id, lone.message.id])
        .await?;
    assert_eq!(
        stored.iter().map(|m| m.grouped_id).collect::<Vec<_>>(),
        vec![Some(4242), None]
    );
    assert_eq!(stored[0].media, vec![9, 9]);
    Ok(())
}
