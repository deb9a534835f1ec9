//! Basic groups through the API (core.telegram.org/method/messages.createChat and friends):
//! three members, each with an own box; service messages and group messages reach every
//! member's box and online sessions; rename, add, kick, and a kicked member is blocked.

mod common;

use common::chat::{difference, input, ALICE_KEY, BOB_KEY};
use common::err;
use common::groups::{box_of, chat_peer, input_user, new_messages, three, to_chat, CAROL_KEY};
use echo_tl::{enums, functions};

#[tokio::test]
async fn create_send_and_read_in_every_box() {
    let (h, pushes, alice, bob, carol, chat_id) = three().await;
    // Each box has its own ids: Bob's service message is his id 2.
    assert_eq!(box_of(&h, BOB_KEY, chat_id).await[0].0, 2);
    assert_eq!(box_of(&h, ALICE_KEY, chat_id).await[0].0, 1);

    let sent = h
        .call(BOB_KEY, &to_chat(chat_id, "hi all", 5))
        .await
        .unwrap();
    assert!(matches!(sent, enums::Updates::UpdateShortSentMessage(s) if s.id == 3));
    for user in [&alice, &carol] {
        let got = pushes.take_for(user.id);
        assert!(
            matches!(&got[..], [enums::Updates::UpdateShortChatMessage(m)]
            if m.from_id == bob.id && m.chat_id == chat_id && m.message == "hi all" && !m.out)
        );
    }
    // A retry of the same random_id delivers nothing twice.
    h.call(BOB_KEY, &to_chat(chat_id, "hi all", 5))
        .await
        .unwrap();
    assert!(pushes.take_for(alice.id).is_empty());
    assert_eq!(box_of(&h, CAROL_KEY, chat_id).await.len(), 2);
    assert_eq!(
        box_of(&h, ALICE_KEY, chat_id).await[0],
        (2, "hi all".into())
    );
    // Catching up names the group too.
    let diff = h.call(CAROL_KEY, &difference(1)).await.unwrap();
    let enums::updates::Difference::Difference(diff) = diff else {
        panic!("difference expected, got {diff:?}")
    };
    assert_eq!(diff.new_messages.len(), 2);
    assert!(matches!(&diff.chats[..], [enums::Chat::Chat(c)] if c.id == chat_id));

    // Dialogs list the group with its chat object; reading works on the group.
    let dialogs = h
        .call(
            CAROL_KEY,
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
        panic!()
    };
    assert!(matches!(&d.dialogs[0], enums::Dialog::Dialog(x) if x.unread_count == 2));
    assert!(matches!(&d.chats[..], [enums::Chat::Chat(c)] if c.id == chat_id));
    h.call(
        CAROL_KEY,
        &functions::messages::ReadHistory {
            peer: chat_peer(chat_id),
            max_id: 0,
        },
    )
    .await
    .unwrap();

    let full = h
        .call(ALICE_KEY, &functions::messages::GetFullChat { chat_id })
        .await
        .unwrap();
    let enums::messages::ChatFull::Full(full) = full;
    let enums::ChatFull::Full(f) = &full.full_chat else {
        panic!()
    };
    let enums::ChatParticipants::Participants(p) = &f.participants else {
        panic!()
    };
    assert_eq!(p.participants.len(), 3);
    assert!(
        matches!(&p.participants[0], enums::ChatParticipant::Creator(c) if c.user_id == alice.id)
    );
    assert_eq!(full.users.len(), 3);
    let chats = h
        .call(
            ALICE_KEY,
            &functions::messages::GetChats {
                id: vec![chat_id, 999],
            },
        )
        .await
        .unwrap();
    assert_eq!(chats.chats().len(), 1);

    // An outsider cannot see or write to the group.
    let dave = h.register(404, "15550404", "Dave").await;
    let e = h.call(404, &to_chat(chat_id, "x", 1)).await.unwrap_err();
    assert_eq!(e, err(400, "PEER_ID_INVALID"));
    let e = h
        .call(404, &functions::messages::GetFullChat { chat_id })
        .await
        .unwrap_err();
    assert_eq!(e, err(400, "CHAT_ID_INVALID"));
    let _ = (dave, input(&alice));
}

#[tokio::test]
async fn rename_add_kick_and_kicked_is_blocked() {
    let (h, pushes, alice, bob, carol, chat_id) = three().await;
    h.call(
        BOB_KEY,
        &functions::messages::EditChatTitle {
            chat_id,
            title: "Renamed".into(),
        },
    )
    .await
    .unwrap();
    for user in [&alice, &carol] {
        assert_eq!(new_messages(&pushes.take_for(user.id)), 1);
    }
    pushes.take_for(bob.id);
    let chats = h
        .call(
            CAROL_KEY,
            &functions::messages::GetChats { id: vec![chat_id] },
        )
        .await
        .unwrap();
    assert!(matches!(&chats.chats()[..], [enums::Chat::Chat(c)] if c.title == "Renamed"));

    // Alice kicks Carol: Carol gets the service message, then nothing more.
    h.call(
        ALICE_KEY,
        &functions::messages::DeleteChatUser {
            revoke_history: false,
            chat_id,
            user_id: input_user(&carol),
        },
    )
    .await
    .unwrap();
    assert_eq!(new_messages(&pushes.take_for(carol.id)), 1);
    assert_eq!(new_messages(&pushes.take_for(bob.id)), 1);
    pushes.take_for(alice.id);
    let e = h
        .call(CAROL_KEY, &to_chat(chat_id, "let me in", 9))
        .await
        .unwrap_err();
    assert_eq!(e, err(403, "CHAT_WRITE_FORBIDDEN"));
    h.call(BOB_KEY, &to_chat(chat_id, "without Carol", 10))
        .await
        .unwrap();
    assert!(pushes.take_for(carol.id).is_empty());
    let carol_box = box_of(&h, CAROL_KEY, chat_id).await;
    assert_eq!(carol_box.len(), 3, "create, rename, kick: {carol_box:?}");
    // Bob is no admin: he cannot kick Alice.
    let e = h
        .call(
            BOB_KEY,
            &functions::messages::DeleteChatUser {
                revoke_history: false,
                chat_id,
                user_id: input_user(&alice),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e, err(403, "CHAT_ADMIN_REQUIRED"));

    // Bob adds Carol back; she gets the messages from then on.
    h.call(
        BOB_KEY,
        &functions::messages::AddChatUser {
            chat_id,
            user_id: input_user(&carol),
            fwd_limit: 0,
        },
    )
    .await
    .unwrap();
    assert_eq!(new_messages(&pushes.take_for(carol.id)), 1);
    h.call(CAROL_KEY, &to_chat(chat_id, "back", 11))
        .await
        .unwrap();
    // Bob's message without Carol, the add, and Carol's message.
    assert_eq!(new_messages(&pushes.take_for(alice.id)), 3);

    // Bob leaves on his own.
    h.call(
        BOB_KEY,
        &functions::messages::DeleteChatUser {
            revoke_history: false,
            chat_id,
            user_id: enums::InputUser::UserSelf,
        },
    )
    .await
    .unwrap();
    let e = h
        .call(BOB_KEY, &to_chat(chat_id, "bye", 12))
        .await
        .unwrap_err();
    assert_eq!(e, err(403, "CHAT_WRITE_FORBIDDEN"));
}
