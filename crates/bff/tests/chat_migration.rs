//! messages.migrateChat through the API (core.telegram.org/method/messages.migrateChat): a
//! basic group of three becomes a supergroup with the same members, admins and photo; every
//! member learns it live; the old history stays readable and channelFull points back at it;
//! the old group takes no more messages; only the creator migrates, once.

mod common;

use common::channel::{png, upload, Channel};
use common::chat::{difference, ALICE_KEY, BOB_KEY};
use common::err;
use common::groups::{box_of, input_user, three, to_chat, CAROL_KEY};
use echo_tl::{enums, functions, types};

fn migrate(chat_id: i64) -> functions::messages::MigrateChat {
    functions::messages::MigrateChat { chat_id }
}

fn parts(u: &enums::Updates) -> &types::Updates {
    let enums::Updates::Updates(u) = u else {
        panic!("updates expected, got {u:?}")
    };
    u
}

fn channel_of(u: &types::Updates) -> Channel {
    let found = u.chats.iter().find_map(|c| match c {
        enums::Chat::Channel(c) => Some(Channel {
            id: c.id,
            access_hash: c.access_hash.unwrap_or(0),
        }),
        _ => None,
    });
    found.expect("the channel is in the answer")
}

fn has_action(u: &types::Updates, want: fn(&enums::MessageAction) -> bool) -> bool {
    u.updates.iter().any(|x| {
        let message = match x {
            enums::Update::NewMessage(m) => &m.message,
            enums::Update::NewChannelMessage(m) => &m.message,
            _ => return false,
        };
        matches!(message, enums::Message::Service(s) if want(&s.action))
    })
}

#[tokio::test]
async fn basic_group_becomes_a_supergroup() {
    let (h, pushes, alice, bob, carol, chat_id) = three().await;
    h.call(ALICE_KEY, &to_chat(chat_id, "before", 7))
        .await
        .unwrap();
    h.call(
        ALICE_KEY,
        &functions::messages::EditChatAdmin {
            chat_id,
            user_id: input_user(&bob),
            is_admin: true,
        },
    )
    .await
    .unwrap();
    let file = upload(&h, ALICE_KEY, 41, png(3), "group.png").await;
    h.call(
        ALICE_KEY,
        &functions::messages::EditChatPhoto {
            chat_id,
            photo: enums::InputChatPhoto::InputChatUploadedPhoto(types::InputChatUploadedPhoto {
                file: Some(file),
                video: None,
                video_start_ts: None,
                video_emoji_markup: None,
            }),
        },
    )
    .await
    .unwrap();
    pushes.got.lock().clear();

    // Only the creator migrates.
    assert_eq!(
        h.call(BOB_KEY, &migrate(chat_id)).await.unwrap_err(),
        err(403, "CHAT_ADMIN_REQUIRED")
    );
    let answer = h.call(ALICE_KEY, &migrate(chat_id)).await.unwrap();
    let u = parts(&answer);
    let channel = channel_of(u);
    assert!(has_action(
        u,
        |a| matches!(a, enums::MessageAction::ChatMigrateTo(m) if m.channel_id > 0)
    ));
    assert!(has_action(
        u,
        |a| matches!(a, enums::MessageAction::ChannelMigrateFrom(m) if m.title == "Trio")
    ));
    assert!(u.chats.iter().any(|c| matches!(c, enums::Chat::Chat(c)
        if c.id == chat_id && c.deactivated && c.migrated_to.is_some())));
    let Some(enums::Chat::Channel(made)) = u
        .chats
        .iter()
        .find(|c| matches!(c, enums::Chat::Channel(_)))
    else {
        panic!()
    };
    assert!(made.megagroup && made.creator);
    assert_eq!(made.participants_count, Some(3));
    assert!(
        matches!(made.photo, enums::ChatPhoto::Photo(_)),
        "the photo moved along"
    );

    // Bob and Carol learn both halves live.
    for user in [&bob, &carol] {
        let got = pushes.take_for(user.id);
        let all: Vec<&types::Updates> = got.iter().map(parts).collect();
        assert!(all
            .iter()
            .any(|u| has_action(u, |a| matches!(a, enums::MessageAction::ChatMigrateTo(_)))));
        assert!(all.iter().any(|u| has_action(u, |a| matches!(
            a,
            enums::MessageAction::ChannelMigrateFrom(_)
        ))));
    }

    // Bob is an admin of the supergroup; everyone may post there.
    let participant = h
        .call(
            BOB_KEY,
            &functions::channels::GetParticipant {
                channel: channel.input(),
                participant: enums::InputPeer::PeerSelf,
            },
        )
        .await
        .unwrap();
    let enums::channels::ChannelParticipant::Participant(p) = participant;
    assert!(matches!(p.participant, enums::ChannelParticipant::Admin(_)));
    h.call(
        CAROL_KEY,
        &functions::messages::SendMessage {
            peer: channel.peer(),
            ..common::send_to_self("in the supergroup", 8)
        },
    )
    .await
    .unwrap();

    // The old group is read-only but readable; channelFull points back at it.
    assert_eq!(
        h.call(CAROL_KEY, &to_chat(chat_id, "late", 9))
            .await
            .unwrap_err(),
        err(400, "PEER_ID_INVALID")
    );
    assert_eq!(
        h.call(ALICE_KEY, &migrate(chat_id)).await.unwrap_err(),
        err(400, "CHAT_ID_INVALID"),
        "once"
    );
    let carol_box = box_of(&h, CAROL_KEY, chat_id).await;
    assert!(carol_box.iter().any(|(_, text)| text == "before"));
    let full = h
        .call(
            CAROL_KEY,
            &functions::channels::GetFullChannel {
                channel: channel.input(),
            },
        )
        .await
        .unwrap();
    let enums::messages::ChatFull::Full(full) = full;
    let enums::ChatFull::ChannelFull(cf) = &full.full_chat else {
        panic!()
    };
    assert_eq!(cf.migrated_from_chat_id, Some(chat_id));
    assert_eq!(
        cf.migrated_from_max_id,
        Some(carol_box[0].0),
        "her newest copy"
    );
    assert!(full
        .chats
        .iter()
        .any(|c| matches!(c, enums::Chat::Chat(c) if c.id == chat_id)));

    // An offline member catching up hears of the channel.
    let diff = h.call(CAROL_KEY, &difference(1)).await.unwrap();
    let enums::updates::Difference::Difference(diff) = diff else {
        panic!("difference expected, got {diff:?}")
    };
    assert!(diff
        .other_updates
        .iter()
        .any(|x| matches!(x, enums::Update::ChannelTooLong(c) if c.channel_id == channel.id)));
    assert!(diff
        .chats
        .iter()
        .any(|c| matches!(c, enums::Chat::Channel(c) if c.id == channel.id)));
    let _ = alice;
}
