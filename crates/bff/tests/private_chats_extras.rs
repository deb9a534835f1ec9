//! Private chats beyond sending: typing (live only), drafts, forwards, pins and unread
//! marks, blocked users, and getDifference's tooLong/empty edges.

mod common;

use common::chat::{difference, input, to_user, two_users, ALICE_KEY, BOB_KEY};
use common::err;
use echo_tl::{enums, functions, types};

fn forward(
    from: enums::InputPeer,
    to: enums::InputPeer,
    ids: Vec<i32>,
) -> functions::messages::ForwardMessages {
    functions::messages::ForwardMessages {
        silent: false,
        background: false,
        with_my_score: false,
        drop_author: false,
        drop_media_captions: false,
        noforwards: false,
        allow_paid_floodskip: false,
        from_ephemeral: false,
        from_peer: from,
        random_id: ids.iter().map(|i| 5000 + i64::from(*i)).collect(),
        id: ids,
        to_peer: to,
        top_msg_id: None,
        reply_to: None,
        schedule_date: None,
        schedule_repeat_period: None,
        send_as: None,
        quick_reply_shortcut: None,
        effect: None,
        video_timestamp: None,
        allow_paid_stars: None,
        suggested_post: None,
    }
}

#[tokio::test]
async fn typing_is_live_and_never_stored() {
    let (h, pushes, alice, bob) = two_users().await;
    let ok = h
        .call(
            ALICE_KEY,
            &functions::messages::SetTyping {
                peer: input(&bob),
                top_msg_id: None,
                action: enums::SendMessageAction::SendMessageTypingAction,
            },
        )
        .await
        .unwrap();
    assert!(ok);
    let to_bob = pushes.take_for(bob.id);
    assert!(matches!(
        &to_bob[..],
        [enums::Updates::UpdateShort(s)]
            if matches!(&s.update, enums::Update::UserTyping(t) if t.user_id == alice.id)
    ));
    let state = h.storage.update_states.get_state(bob.id).await.unwrap();
    assert_eq!(state.pts, echo_storage::INITIAL_PTS);
}

#[tokio::test]
async fn drafts_are_saved_listed_and_cleared() {
    let (h, pushes, _alice, bob) = two_users().await;
    let save = |text: &str| functions::messages::SaveDraft {
        no_webpage: false,
        invert_media: false,
        reply_to: None,
        peer: input(&bob),
        message: text.into(),
        entities: None,
        media: None,
        effect: None,
        suggested_post: None,
        rich_message: None,
    };
    assert!(h.call(ALICE_KEY, &save("half a thought")).await.unwrap());
    // The caller's other sessions get updateDraftMessage.
    assert_eq!(
        pushes
            .take_for(
                h.storage
                    .users
                    .get_by_phone("15550101")
                    .await
                    .unwrap()
                    .unwrap()
                    .id
            )
            .len(),
        1
    );
    let all = h
        .call(ALICE_KEY, &functions::messages::GetAllDrafts {})
        .await
        .unwrap();
    let enums::Updates::Updates(all) = all else {
        panic!("updates expected")
    };
    assert!(matches!(
        &all.updates[..],
        [enums::Update::DraftMessage(d)]
            if matches!(&d.draft, enums::DraftMessage::Message(m) if m.message == "half a thought")
    ));
    // Sending with clear_draft removes it.
    let mut send = to_user(&bob, "whole thought", 1);
    send.clear_draft = true;
    h.call(ALICE_KEY, &send).await.unwrap();
    let all = h
        .call(ALICE_KEY, &functions::messages::GetAllDrafts {})
        .await
        .unwrap();
    assert!(matches!(all, enums::Updates::Updates(u) if u.updates.is_empty()));
}

#[tokio::test]
async fn forwards_pins_and_unread_marks() {
    let (h, pushes, alice, bob) = two_users().await;
    h.call(BOB_KEY, &to_user(&alice, "forward me", 1))
        .await
        .unwrap();
    pushes.got.lock().clear();
    // Alice forwards Bob's message (her id 1) back to Bob.
    let fwd = h
        .call(ALICE_KEY, &forward(input(&bob), input(&bob), vec![1, 99]))
        .await
        .unwrap();
    let enums::Updates::Updates(fwd) = fwd else {
        panic!()
    };
    let sent = fwd.updates.iter().find_map(|u| match u {
        enums::Update::NewMessage(n) => Some(n.message.clone()),
        _ => None,
    });
    let Some(enums::Message::Message(sent)) = sent else {
        panic!("new message expected")
    };
    assert_eq!(sent.message, "forward me");
    assert!(
        matches!(&sent.fwd_from, Some(enums::MessageFwdHeader::Header(f))
        if f.from_id == Some(enums::Peer::User(types::PeerUser { user_id: bob.id })))
    );
    let to_bob = pushes.take_for(bob.id);
    assert!(matches!(&to_bob[..], [enums::Updates::UpdateShortMessage(m)] if m.fwd_from.is_some()));

    let dialog_peer = enums::InputDialogPeer::Peer(types::InputDialogPeer { peer: input(&bob) });
    let pin = functions::messages::ToggleDialogPin {
        pinned: true,
        peer: dialog_peer.clone(),
    };
    assert!(h.call(ALICE_KEY, &pin).await.unwrap());
    let pinned = h
        .call(
            ALICE_KEY,
            &functions::messages::GetPinnedDialogs { folder_id: 0 },
        )
        .await
        .unwrap();
    let enums::messages::PeerDialogs::Dialogs(pinned) = pinned;
    assert_eq!(pinned.dialogs.len(), 1);
    let mark = functions::messages::MarkDialogUnread {
        unread: true,
        parent_peer: None,
        peer: dialog_peer,
    };
    assert!(h.call(ALICE_KEY, &mark).await.unwrap());
    let record = h
        .storage
        .dialogs
        .get(alice.id, echo_storage::Peer::User(bob.id))
        .await
        .unwrap()
        .unwrap();
    assert!(record.pinned && record.unread_mark);
}

#[tokio::test]
async fn blocked_users() {
    let (h, pushes, alice, bob) = two_users().await;
    let block = |peer| functions::contacts::Block {
        my_stories_from: false,
        id: peer,
    };
    // Bob blocks Alice: her message is stored on her side only, never delivered.
    h.call(BOB_KEY, &block(input(&alice))).await.unwrap();
    pushes.got.lock().clear();
    let sent = h.call(ALICE_KEY, &to_user(&bob, "are you there", 1)).await;
    assert!(matches!(
        sent,
        Ok(enums::Updates::UpdateShortSentMessage(_))
    ));
    assert!(pushes.take_for(bob.id).is_empty());
    assert_eq!(
        h.storage.update_states.get_state(bob.id).await.unwrap().pts,
        echo_storage::INITIAL_PTS
    );
    // Bob cannot write to someone he blocked.
    let e = h
        .call(BOB_KEY, &to_user(&alice, "hi", 2))
        .await
        .unwrap_err();
    assert_eq!(e, err(400, "YOU_BLOCKED_USER"));
}

#[tokio::test]
async fn difference_edges() {
    let (h, _pushes, _alice, bob) = two_users().await;
    let empty = h
        .call(BOB_KEY, &difference(echo_storage::INITIAL_PTS))
        .await
        .unwrap();
    assert!(matches!(empty, enums::updates::Difference::Empty(_)));
    h.call(ALICE_KEY, &to_user(&bob, "one", 1)).await.unwrap();
    // A client claiming a pts the server never reached starts over.
    let ahead = h.call(BOB_KEY, &difference(50)).await.unwrap();
    assert!(matches!(ahead, enums::updates::Difference::TooLong(t) if t.pts == 2));
    h.call(ALICE_KEY, &to_user(&bob, "two", 2)).await.unwrap();
    let mut limited = difference(echo_storage::INITIAL_PTS);
    limited.pts_total_limit = Some(1);
    let limited = h.call(BOB_KEY, &limited).await.unwrap();
    assert!(matches!(limited, enums::updates::Difference::TooLong(t) if t.pts == 3));
    let state = h
        .call(BOB_KEY, &functions::updates::GetState {})
        .await
        .unwrap();
    let enums::updates::State::State(state) = state;
    assert_eq!((state.pts, state.unread_count), (3, 2));
}
