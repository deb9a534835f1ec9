//! Helpers for tests of basic groups: three signed-up users in one group, request builders
//! and readers of what reached a member.

use std::sync::Arc;

use echo_tl::{enums, functions, types};

use super::chat::{two_users, Pushes, ALICE_KEY, BOB_KEY};
use super::{history, send_to_self, Harness};

pub const CAROL_KEY: i64 = 303;

pub fn input_user(u: &types::User) -> enums::InputUser {
    enums::InputUser::User(types::InputUser {
        user_id: u.id,
        access_hash: u.access_hash.unwrap_or(0),
    })
}

pub fn chat_peer(chat_id: i64) -> enums::InputPeer {
    enums::InputPeer::Chat(types::InputPeerChat { chat_id })
}

pub fn to_chat(chat_id: i64, text: &str, random_id: i64) -> functions::messages::SendMessage {
    functions::messages::SendMessage {
        peer: chat_peer(chat_id),
        ..send_to_self(text, random_id)
    }
}

/// Every message of a history answer: (id, text or action name).
pub async fn box_of(h: &Harness, key: i64, chat_id: i64) -> Vec<(i32, String)> {
    let answer = h
        .call(key, &history(chat_peer(chat_id), 0, 0, 50))
        .await
        .unwrap();
    let enums::messages::Messages::Messages(m) = answer else {
        panic!("full history expected")
    };
    assert!(m
        .chats
        .iter()
        .any(|c| matches!(c, enums::Chat::Chat(c) if c.id == chat_id)
            || matches!(c, enums::Chat::Forbidden(c) if c.id == chat_id)));
    m.messages
        .iter()
        .map(|m| match m {
            enums::Message::Message(m) => (m.id, m.message.clone()),
            enums::Message::Service(s) => {
                (s.id, format!("{:?}", s.action).chars().take(14).collect())
            }
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

pub fn new_messages(pushed: &[enums::Updates]) -> usize {
    pushed
        .iter()
        .map(|u| match u {
            enums::Updates::Updates(u) => u
                .updates
                .iter()
                .filter(|x| matches!(x, enums::Update::NewMessage(_)))
                .count(),
            enums::Updates::UpdateShortChatMessage(_) => 1,
            _ => 0,
        })
        .sum()
}

pub async fn three() -> (
    Harness,
    Arc<Pushes>,
    types::User,
    types::User,
    types::User,
    i64,
) {
    let (h, pushes, alice, bob) = two_users().await;
    let carol = h.register(CAROL_KEY, "15550303", "Carol").await;
    // Bob's box has something first, so his ids differ from Alice's.
    h.call(BOB_KEY, &send_to_self("note", 1)).await.unwrap();
    pushes.got.lock().clear();
    let created = h
        .call(
            ALICE_KEY,
            &functions::messages::CreateChat {
                users: vec![input_user(&bob), input_user(&carol)],
                title: "Trio".into(),
                ttl_period: None,
            },
        )
        .await
        .unwrap();
    let enums::messages::InvitedUsers::Users(created) = created;
    let enums::Updates::Updates(u) = &created.updates else {
        panic!("updates expected")
    };
    let enums::Chat::Chat(chat) = &u.chats[0] else {
        panic!("chat expected")
    };
    assert_eq!((chat.participants_count, chat.title.as_str()), (3, "Trio"));
    assert!(chat.creator);
    assert!(matches!(&u.updates[0], enums::Update::NewMessage(m)
        if matches!(&m.message, enums::Message::Service(s)
            if matches!(&s.action, enums::MessageAction::ChatCreate(_)))));
    assert!(u
        .updates
        .iter()
        .any(|x| matches!(x, enums::Update::ChatParticipants(_))));
    let chat_id = chat.id;
    for user in [&bob, &carol] {
        assert_eq!(new_messages(&pushes.take_for(user.id)), 1, "service pushed");
    }
    // Alice's other sessions got her copy too.
    assert_eq!(new_messages(&pushes.take_for(alice.id)), 1);
    (h, pushes, alice, bob, carol, chat_id)
}

pub fn rights(send_messages: bool) -> enums::ChatBannedRights {
    enums::ChatBannedRights::Rights(types::ChatBannedRights {
        view_messages: false,
        send_messages,
        send_media: false,
        send_stickers: false,
        send_gifs: false,
        send_games: false,
        send_inline: false,
        embed_links: false,
        send_polls: false,
        change_info: false,
        invite_users: false,
        pin_messages: false,
        manage_topics: false,
        send_photos: false,
        send_videos: false,
        send_roundvideos: false,
        send_audios: false,
        send_voices: false,
        send_docs: false,
        send_plain: false,
        edit_rank: false,
        send_reactions: false,
        manage_linked_peers: false,
        until_date: 0,
    })
}
