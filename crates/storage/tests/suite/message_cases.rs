//! Message boxes: id and pts allocation, random_id de-duplication, history paging,
//! search, edit and delete.

use anyhow::Result;
use echo_storage::{
    AppendOutcome, BoxMessage, HistoryQuery, MessageEdit, NewBoxMessage, Peer, StorageError,
    UserState, INITIAL_PTS,
};

use crate::harness::Ctx;

const ALICE: i64 = 1_000_000;
const BOB: i64 = 1_000_001;

pub fn text(peer: Peer, out: bool, date: i64, message: &str) -> NewBoxMessage {
    NewBoxMessage {
        peer,
        from_id: if out { ALICE } else { peer.id() },
        out,
        date,
        message: message.to_owned(),
        entities: Vec::new(),
        media: Vec::new(),
        reply_to_msg_id: None,
        random_id: None,
        fwd: Vec::new(),
        grouped_id: None,
    }
}

pub async fn append_allocates_per_user_ids_and_pts(ctx: Ctx) -> Result<()> {
    let messages = &ctx.storage.messages;
    let saved = Peer::User(ALICE);
    let mut ids = Vec::new();
    for i in 0..3 {
        let mut m = text(saved, true, 100 + i, &format!("note {i} 📝"));
        m.entities = vec![0x15, 0xc4, 0xb5, 0x1c, 0, 0, 0, 0];
        m.reply_to_msg_id = (i > 0).then_some(1);
        let out = messages.append(ALICE, m).await?;
        assert!(out.is_created());
        let stored = out.into_message();
        assert_eq!(
            stored.pts,
            INITIAL_PTS + stored.id,
            "one pts per message in a fresh box"
        );
        ids.push(stored.id);
    }
    assert_eq!(ids, vec![1, 2, 3]);

    let bob = messages
        .append(BOB, text(Peer::User(ALICE), false, 105, "hi"))
        .await?;
    assert_eq!(
        (bob.message().id, bob.message().pts),
        (1, INITIAL_PTS + 1),
        "Bob's box counts on its own"
    );

    let state = ctx.storage.update_states.get_state(ALICE).await?;
    assert_eq!(
        state,
        UserState {
            pts: INITIAL_PTS + 3,
            qts: 0,
            seq: 0,
            date: 102
        }
    );
    assert_eq!(
        ctx.storage.update_states.get_state(42).await?,
        UserState {
            pts: INITIAL_PTS,
            ..UserState::default()
        }
    );

    let got = messages.get(ALICE, &[3, 1, 99, 1]).await?;
    assert_eq!(got.iter().map(|m| m.id).collect::<Vec<_>>(), vec![1, 3]);
    let first: &BoxMessage = &got[0];
    assert_eq!(first.message, "note 0 📝");
    assert_eq!(first.entities, vec![0x15, 0xc4, 0xb5, 0x1c, 0, 0, 0, 0]);
    assert!(first.media.is_empty() && first.fwd.is_empty());
    assert_eq!(first.reply_to_msg_id, None);
    assert_eq!(got[1].reply_to_msg_id, Some(1));
    assert!(first.out);
    assert_eq!(first.peer, saved);
    assert_eq!(first.edit_date, None);
    assert!(messages.get(BOB, &[2, 3]).await?.is_empty());
    Ok(())
}

pub async fn random_id_dedupe(ctx: Ctx) -> Result<()> {
    let messages = &ctx.storage.messages;
    let mut first = text(Peer::User(BOB), true, 100, "once");
    first.random_id = Some(-42);
    let created = messages.append(ALICE, first.clone()).await?;
    assert!(created.is_created());

    let mut retry = first.clone();
    retry.message = "retried".to_owned();
    match messages.append(ALICE, retry).await? {
        AppendOutcome::Existing(m) => {
            assert_eq!(m.id, created.message().id);
            assert_eq!(m.message, "once");
        }
        other => panic!("expected Existing, got {other:?}"),
    }
    assert_eq!(
        ctx.storage.update_states.get_state(ALICE).await?.pts,
        INITIAL_PTS + 1,
        "no pts for a duplicate"
    );

    // Another box may use the same random_id; messages without one never collide.
    assert!(messages.append(BOB, first.clone()).await?.is_created());
    let plain = text(Peer::User(BOB), true, 101, "plain");
    assert!(messages.append(ALICE, plain.clone()).await?.is_created());
    assert!(messages.append(ALICE, plain).await?.is_created());
    assert_eq!(
        ctx.storage.update_states.get_state(ALICE).await?.pts,
        INITIAL_PTS + 3
    );
    Ok(())
}

pub async fn concurrent_appends_get_distinct_ids(ctx: Ctx) -> Result<()> {
    let mut tasks = Vec::new();
    for i in 0..16 {
        let storage = ctx.storage.clone();
        tasks.push(tokio::spawn(async move {
            let mut m = text(Peer::User(BOB), true, 100 + i, "race");
            // Half of them share random ids pairwise, so de-duplication races too.
            m.random_id = Some(i / 2);
            storage.messages.append(ALICE, m).await
        }));
    }
    let mut created = Vec::new();
    for task in tasks {
        if let AppendOutcome::Created(m) = task.await?? {
            created.push((m.id, m.pts));
        }
    }
    created.sort_unstable();
    let expected: Vec<(i32, i32)> = (1..=8).map(|i| (i, INITIAL_PTS + i)).collect();
    assert_eq!(created, expected);
    assert_eq!(
        ctx.storage.update_states.get_state(ALICE).await?.pts,
        INITIAL_PTS + 8
    );
    Ok(())
}

/// The offsets page computed literally from the full list (newest first).
fn reference(all: &[(i32, i64)], q: &HistoryQuery) -> Vec<i32> {
    let limit = if q.limit <= 0 { 20 } else { q.limit.min(100) } as i64;
    let list: Vec<(i32, i64)> = all
        .iter()
        .copied()
        .filter(|&(id, _)| q.max_id <= 0 || id < q.max_id)
        .filter(|&(id, _)| q.min_id <= 0 || id > q.min_id)
        .collect();
    let pos = list
        .iter()
        .filter(|&&(id, date)| {
            if q.offset_id > 0 {
                id >= q.offset_id
            } else {
                q.offset_date > 0 && date >= q.offset_date
            }
        })
        .count() as i64;
    let start = pos + i64::from(q.add_offset);
    (start.max(0)..(start + limit).min(list.len() as i64))
        .map(|i| list[i as usize].0)
        .collect()
}

pub async fn history_offsets(ctx: Ctx) -> Result<()> {
    let messages = &ctx.storage.messages;
    let chat = Peer::User(BOB);
    let other = Peer::Chat(7);
    // 180 messages; every third goes to another dialog so the ids of `chat` have gaps,
    // and two messages share each second so dates tie.
    let mut in_chat = Vec::new();
    for i in 0..180i64 {
        let peer = if i % 3 == 2 { other } else { chat };
        let stored = messages
            .append(ALICE, text(peer, i % 2 == 0, 1000 + i / 2, "m"))
            .await?;
        if peer == chat {
            in_chat.push((stored.message().id, stored.message().date));
        }
    }
    in_chat.reverse();
    assert_eq!(messages.count(ALICE, chat).await?, 120);
    assert_eq!(messages.count(ALICE, other).await?, 60);
    assert_eq!(messages.count(BOB, chat).await?, 0);

    let q = |offset_id, add_offset, limit| HistoryQuery {
        offset_id,
        add_offset,
        limit,
        ..Default::default()
    };
    let mut cases = vec![
        q(0, 0, 20),
        q(0, 0, 0),
        q(0, 0, 500),
        q(0, 5, 10),
        q(0, -5, 10),
        q(100, 0, 20),
        q(101, 0, 20),
        q(100, -10, 20),
        q(100, -20, 20),
        q(100, -30, 10),
        q(170, -20, 20),
        q(1, -3, 10),
        q(2, 0, 5),
        q(100, 50, 100),
        q(100, 200, 10),
        q(100, i32::MIN, 100),
        HistoryQuery {
            max_id: 50,
            limit: 10,
            ..Default::default()
        },
        HistoryQuery {
            min_id: 150,
            limit: 100,
            ..Default::default()
        },
        HistoryQuery {
            min_id: 40,
            max_id: 60,
            limit: 100,
            ..Default::default()
        },
        HistoryQuery {
            offset_id: 100,
            add_offset: -5,
            min_id: 90,
            max_id: 110,
            limit: 8,
            ..Default::default()
        },
        HistoryQuery {
            offset_date: 1050,
            limit: 10,
            ..Default::default()
        },
        HistoryQuery {
            offset_date: 1050,
            add_offset: -3,
            limit: 6,
            ..Default::default()
        },
        // Clients send the last message's date with its id; the id decides.
        HistoryQuery {
            offset_id: 100,
            offset_date: 1049,
            limit: 10,
            ..Default::default()
        },
    ];
    cases.push(HistoryQuery {
        offset_id: 100,
        limit: -1,
        ..Default::default()
    });
    for query in cases {
        let got: Vec<i32> = messages
            .history(ALICE, chat, query)
            .await?
            .iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(got, reference(&in_chat, &query), "{query:?}");
        assert!(got.len() <= 100);
    }
    // The documented cases, spelled out.
    let older = messages.history(ALICE, chat, q(100, 0, 3)).await?;
    assert_eq!(
        older.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![98, 97, 95]
    );
    let around = messages.history(ALICE, chat, q(100, -2, 4)).await?;
    assert_eq!(
        around.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![101, 100, 98, 97]
    );
    assert!(messages
        .history(ALICE, Peer::Channel(1), q(0, 0, 20))
        .await?
        .is_empty());
    Ok(())
}

pub async fn count_and_search(ctx: Ctx) -> Result<()> {
    let messages = &ctx.storage.messages;
    let chat = Peer::User(BOB);
    for (i, body) in [
        "Hello world",
        "say HELLO",
        "50% off_sale",
        "nothing",
        "hello again",
    ]
    .iter()
    .enumerate()
    {
        messages
            .append(ALICE, text(chat, true, 100 + i as i64, body))
            .await?;
    }
    messages
        .append(ALICE, text(Peer::User(ALICE), true, 200, "hello me"))
        .await?;

    let ids = |v: Vec<BoxMessage>| v.iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(
        ids(messages.search(ALICE, Some(chat), "hello", 10).await?),
        vec![5, 2, 1]
    );
    assert_eq!(
        ids(messages.search(ALICE, Some(chat), "hello", 2).await?),
        vec![5, 2]
    );
    assert_eq!(
        ids(messages.search(ALICE, None, "hello", 10).await?),
        vec![6, 5, 2, 1]
    );
    assert_eq!(
        ids(messages.search(ALICE, Some(chat), "50%", 10).await?),
        vec![3]
    );
    assert_eq!(
        ids(messages.search(ALICE, Some(chat), "f_s", 10).await?),
        vec![3]
    );
    assert!(messages
        .search(ALICE, Some(chat), "%x", 10)
        .await?
        .is_empty());
    assert!(messages.search(BOB, None, "hello", 10).await?.is_empty());
    assert_eq!(messages.count(ALICE, chat).await?, 5);
    Ok(())
}

pub async fn edit_and_delete(ctx: Ctx) -> Result<()> {
    let messages = &ctx.storage.messages;
    let states = &ctx.storage.update_states;
    let chat = Peer::User(BOB);
    for i in 0..4 {
        messages
            .append(ALICE, text(chat, true, 100 + i, "draft"))
            .await?;
    }
    let edit = MessageEdit {
        message: "final".to_owned(),
        entities: vec![1, 2, 3],
        media: vec![9; 300],
        edit_date: 500,
    };
    let edited = messages.edit(ALICE, 2, edit.clone()).await?;
    assert_eq!(
        (edited.message.as_str(), edited.edit_date, edited.pts),
        ("final", Some(500), INITIAL_PTS + 5)
    );
    assert_eq!(edited.media, vec![9; 300]);
    assert_eq!(edited.date, 101, "edit keeps the original date");
    assert_eq!(states.get_state(ALICE).await?.pts, INITIAL_PTS + 5);

    assert!(matches!(
        messages.edit(ALICE, 99, edit).await,
        Err(StorageError::NotFound)
    ));
    assert_eq!(
        states.get_state(ALICE).await?.pts,
        INITIAL_PTS + 5,
        "failed edit rolls pts back"
    );

    let gone = messages.delete(ALICE, &[1, 3, 3, 99]).await?;
    assert_eq!(gone.deleted_ids, vec![1, 3]);
    assert_eq!((gone.pts_count, gone.pts), (2, INITIAL_PTS + 7));
    assert_eq!(messages.count(ALICE, chat).await?, 2);
    let none = messages.delete(ALICE, &[1, 3]).await?;
    assert_eq!((none.pts_count, none.pts), (0, INITIAL_PTS + 7));
    assert!(none.deleted_ids.is_empty());
    assert_eq!(messages.delete(BOB, &[]).await?.pts, INITIAL_PTS);

    // A read marker moves pts without touching the message counter.
    assert_eq!(states.advance_pts(ALICE, 1, 650).await?, INITIAL_PTS + 8);
    assert_eq!(states.get_state(ALICE).await?.date, 650);
    assert!(matches!(
        states.advance_pts(ALICE, -1, 0).await,
        Err(StorageError::InvalidArgument(_))
    ));
    assert_eq!(states.advance_pts(BOB, 0, 0).await?, INITIAL_PTS);

    // Ids are never reused after a delete.
    let next = messages.append(ALICE, text(chat, true, 600, "new")).await?;
    assert_eq!(
        (next.message().id, next.message().pts),
        (5, INITIAL_PTS + 9)
    );
    Ok(())
}

/// An album's id (messages.sendMultiMedia `grouped_id`) is stored with each item and comes
/// back from every read: get, history, a random_id retry, a logged append and its edit.
pub async fn grouped_id_round_trips(ctx: Ctx) -> Result<()> {
    let messages = &ctx.storage.messages;
    let bob = Peer::User(BOB);
    // Larger than 2^53 and than i32: the column must hold a full 64-bit id.
    let album = 0x7abc_def0_1234_5678_i64;
    let mut ids = Vec::new();
    for i in 0..3 {
        let mut m = text(bob, true, 200 + i, "");
        m.grouped_id = Some(album);
        m.random_id = Some(7000 + i);
        ids.push(messages.append(ALICE, m).await?.into_message().id);
    }
    let lone = messages
        .append(ALICE, text(bob, true, 210, "lone"))
        .await?
        .into_message();
    assert_eq!(lone.grouped_id, None);

    let got = messages.get(ALICE, &ids).await?;
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|m| m.grouped_id == Some(album)));
    let page = messages
        .history(ALICE, bob, HistoryQuery::default())
        .await?;
    let groups: Vec<Option<i64>> = page.iter().map(|m| m.grouped_id).collect();
    assert_eq!(groups, vec![None, Some(album), Some(album), Some(album)]);

    // A retry finds the stored item with its stored album, whatever it carries now.
    let mut retry = text(bob, true, 300, "");
    retry.random_id = Some(7001);
    retry.grouped_id = Some(1);
    let again = messages.append(ALICE, retry).await?;
    assert!(matches!(again, AppendOutcome::Existing(ref m)
        if m.id == ids[1] && m.grouped_id == Some(album)));

    // The logged path (what sends use) stores it too, and an edit keeps it.
    let log = &ctx.storage.updates_log;
    let mut copy = text(Peer::User(ALICE), false, 220, "");
    copy.grouped_id = Some(album);
    let theirs = log
        .append_message(BOB, copy, echo_storage::MessageOrigin::Own, &NoEncoding)
        .await?
        .into_message();
    assert_eq!(theirs.grouped_id, Some(album));
    let edited = messages
        .edit(
            BOB,
            theirs.id,
            MessageEdit {
                message: "caption".into(),
                entities: Vec::new(),
                media: Vec::new(),
                edit_date: 230,
            },
        )
        .await?;
    assert_eq!(edited.grouped_id, Some(album));
    assert_eq!(
        messages.get(BOB, &[theirs.id]).await?[0].grouped_id,
        Some(album)
    );
    Ok(())
}

/// The log body does not matter to this case.
struct NoEncoding;

impl echo_storage::UpdateEncoder for NoEncoding {
    fn encode(&self, _change: &echo_storage::BoxChange<'_>) -> Vec<u8> {
        Vec::new()
    }
}
