//! Private chats through the API: sendMessage between two users (access hash checked,
//! random_id de-duplication), live pushes, edits, revoking deletions, read receipts, and
//! updates.getDifference over the updates log (core.telegram.org/api/updates).

mod common;

use common::chat::{difference, input, to_user, two_users, two_users_with, ALICE_KEY, BOB_KEY};
use common::{err, send_to_self};
use echo_tl::{enums, functions, types};

#[tokio::test]
async fn send_pushes_and_dedupes() {
    let (h, pushes, alice, bob) = two_users().await;
    let mut wrong = to_user(&bob, "hi", 1);
    wrong.peer = enums::InputPeer::User(types::InputPeerUser {
        user_id: bob.id,
        access_hash: bob.access_hash.unwrap_or(0) ^ 1,
    });
    assert_eq!(
        h.call(ALICE_KEY, &wrong).await.unwrap_err(),
        err(400, "PEER_ID_INVALID")
    );
    assert!(pushes.take_for(bob.id).is_empty(), "never delivered");

    let sent = h
        .call(ALICE_KEY, &to_user(&bob, "hello Bob", 7))
        .await
        .unwrap();
    let enums::Updates::UpdateShortSentMessage(short) = sent else {
        panic!("updateShortSentMessage expected, got {sent:?}")
    };
    assert_eq!((short.id, short.pts, short.out), (1, 2, true));
    let to_bob = pushes.take_for(bob.id);
    assert_eq!(to_bob.len(), 1);
    let enums::Updates::UpdateShortMessage(m) = &to_bob[0] else {
        panic!("updateShortMessage expected")
    };
    assert_eq!(
        (m.out, m.user_id, m.message.as_str()),
        (false, alice.id, "hello Bob")
    );
    // The sender's other sessions learn it too, with out=true.
    let to_alice = pushes.take_for(alice.id);
    assert!(matches!(&to_alice[..], [enums::Updates::UpdateShortMessage(m)] if m.out));

    // A retried random_id returns the same message and delivers nothing.
    let again = h
        .call(ALICE_KEY, &to_user(&bob, "hello Bob", 7))
        .await
        .unwrap();
    assert!(matches!(again, enums::Updates::UpdateShortSentMessage(s) if s.id == 1));
    assert!(pushes.take_for(bob.id).is_empty());

    for (text, code) in [("  ", "MESSAGE_EMPTY")] {
        let e = h
            .call(ALICE_KEY, &to_user(&bob, text, 9))
            .await
            .unwrap_err();
        assert_eq!(e, err(400, code));
    }
    let long = "x".repeat(4097);
    let e = h
        .call(ALICE_KEY, &to_user(&bob, &long, 10))
        .await
        .unwrap_err();
    assert_eq!(e, err(400, "MESSAGE_TOO_LONG"));

    // Bob sees one dialog with one unread message and Alice among the users.
    let dialogs = h
        .call(
            BOB_KEY,
            &functions::messages::GetDialogs {
                exclude_pinned: false,
                folder_id: None,
                offset_date: 0,
                offset_id: 0,
                offset_peer: enums::InputPeer::Empty,
                limit: 20,
                hash: 0,
            },
        )
        .await
        .unwrap();
    let enums::messages::Dialogs::Dialogs(d) = dialogs else {
        panic!("full dialog list expected")
    };
    let enums::Dialog::Dialog(first) = &d.dialogs[0] else {
        panic!()
    };
    assert_eq!((first.unread_count, first.top_message), (1, 1));
    assert!(d
        .users
        .iter()
        .any(|u| matches!(u, enums::User::User(u) if u.id == alice.id)));
}

#[tokio::test]
async fn edit_delete_read_and_difference() {
    let (h, pushes, alice, bob) = two_users().await;
    // Bob writes to himself first, so his copy ids differ from Alice's.
    h.call(BOB_KEY, &send_to_self("note", 1)).await.unwrap();
    for i in 0..3 {
        h.call(ALICE_KEY, &to_user(&bob, &format!("m{i}"), 100 + i))
            .await
            .unwrap();
    }
    pushes.got.lock().clear();

    // Bob reads everything: Alice gets updateReadHistoryOutbox with HER max id.
    let read = h
        .call(
            BOB_KEY,
            &functions::messages::ReadHistory {
                peer: input(&alice),
                max_id: 0,
            },
        )
        .await
        .unwrap();
    let enums::messages::AffectedMessages::Messages(read) = read;
    assert_eq!((read.pts, read.pts_count), (6, 1));
    let to_alice = pushes.take_for(alice.id);
    let enums::Updates::Updates(u) = &to_alice[0] else {
        panic!()
    };
    assert!(matches!(&u.updates[0], enums::Update::ReadHistoryOutbox(r) if r.max_id == 3));
    // Bob's other sessions learn the read (the calling one is excluded by the hub).
    let to_bob = pushes.take_for(bob.id);
    let enums::Updates::Updates(u) = &to_bob[0] else {
        panic!()
    };
    assert!(matches!(&u.updates[0], enums::Update::ReadHistoryInbox(r) if r.max_id == 4));

    // Alice edits her second message; Bob's copy (id 3) changes too.
    h.call(
        ALICE_KEY,
        &functions::messages::EditMessage {
            no_webpage: false,
            invert_media: false,
            peer: input(&bob),
            id: 2,
            message: Some("m1 edited".into()),
            media: None,
            reply_markup: None,
            entities: None,
            schedule_date: None,
            schedule_repeat_period: None,
            quick_reply_shortcut_id: None,
            rich_message: None,
        },
    )
    .await
    .unwrap();
    let to_bob = pushes.take_for(bob.id);
    let enums::Updates::Updates(u) = &to_bob[0] else {
        panic!()
    };
    let enums::Update::EditMessage(e) = &u.updates[0] else {
        panic!()
    };
    let enums::Message::Message(m) = &e.message else {
        panic!()
    };
    assert_eq!((m.id, m.message.as_str()), (3, "m1 edited"));

    // Alice revokes her first message: gone from both boxes.
    h.call(
        ALICE_KEY,
        &functions::messages::DeleteMessages {
            revoke: true,
            id: vec![1],
        },
    )
    .await
    .unwrap();
    let to_bob = pushes.take_for(bob.id);
    let enums::Updates::Updates(u) = &to_bob[0] else {
        panic!()
    };
    assert!(matches!(&u.updates[0], enums::Update::DeleteMessages(d) if d.messages == vec![2]));

    // Bob's device that saw only his first update (pts 2) replays everything since.
    let diff = h.call(BOB_KEY, &difference(2)).await.unwrap();
    let enums::updates::Difference::Difference(diff) = diff else {
        panic!("difference expected, got {diff:?}")
    };
    assert_eq!(diff.new_messages.len(), 3);
    assert_eq!(diff.other_updates.len(), 3, "read inbox, edit, delete");
    assert!(diff
        .users
        .iter()
        .any(|u| matches!(u, enums::User::User(u) if u.id == alice.id)));
    let empty = h.call(BOB_KEY, &difference(8)).await.unwrap();
    assert!(matches!(empty, enums::updates::Difference::Empty(_)));
}

#[tokio::test]
async fn catch_up_in_slices_and_measure_1000() {
    let (h, _pushes, _alice, bob) = two_users_with(10_000).await;
    let total = 1000;
    for i in 0..total {
        h.call(
            ALICE_KEY,
            &to_user(&bob, &format!("n{i}"), 1000 + i64::from(i)),
        )
        .await
        .unwrap();
    }
    let started = std::time::Instant::now();
    let mut pts = echo_storage::INITIAL_PTS;
    let mut seen = Vec::new();
    let mut calls = 0;
    loop {
        calls += 1;
        match h.call(BOB_KEY, &difference(pts)).await.unwrap() {
            enums::updates::Difference::Slice(s) => {
                let enums::updates::State::State(state) = s.intermediate_state;
                seen.extend(s.new_messages);
                pts = state.pts;
            }
            enums::updates::Difference::Difference(d) => {
                seen.extend(d.new_messages);
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    eprintln!(
        "getDifference catch-up of {total} messages: {:?} in {calls} calls",
        started.elapsed()
    );
    let texts: Vec<String> = seen
        .iter()
        .map(|m| match m {
            enums::Message::Message(m) => m.message.clone(),
            _ => String::new(),
        })
        .collect();
    let expected: Vec<String> = (0..total).map(|i| format!("n{i}")).collect();
    assert_eq!(texts, expected, "in order, nothing duplicated");
    assert_eq!(calls, 10);
}

#[tokio::test]
async fn send_flood_is_refused_without_writing() {
    let (h, pushes, _alice, bob) = two_users_with(2).await;
    h.call(ALICE_KEY, &to_user(&bob, "a", 1)).await.unwrap();
    h.call(ALICE_KEY, &to_user(&bob, "b", 2)).await.unwrap();
    pushes.got.lock().clear();
    let e = h.call(ALICE_KEY, &to_user(&bob, "c", 3)).await.unwrap_err();
    assert_eq!(e.code, 420);
    assert!(e.message.starts_with("FLOOD_WAIT_"), "{e:?}");
    assert!(pushes.take_for(bob.id).is_empty());
    let state = h.storage.update_states.get_state(bob.id).await.unwrap();
    assert_eq!(state.pts, 3, "nothing partially written");
}
