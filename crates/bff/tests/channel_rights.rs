//! Rights and moderation in channels through the API (core.telegram.org/api/rights,
//! /method/channels.editAdmin, /method/channels.editBanned, /method/channels.toggleSlowMode,
//! /api/pin): promotion limits, enforcement of delete rights, kicks and restrictions,
//! default banned rights, slow mode, signatures and pins.

mod common;

use common::chat::{two_users, Pushes, ALICE_KEY, BOB_KEY};
use common::groups::{input_user, rights, CAROL_KEY};
use common::{err, history, send_to_self, Harness};
use echo_tl::{enums, functions, types};

struct Channel {
    id: i64,
    access_hash: i64,
}

impl Channel {
    fn input(&self) -> enums::InputChannel {
        enums::InputChannel::Channel(types::InputChannel {
            channel_id: self.id,
            access_hash: self.access_hash,
        })
    }

    fn peer(&self) -> enums::InputPeer {
        enums::InputPeer::Channel(types::InputPeerChannel {
            channel_id: self.id,
            access_hash: self.access_hash,
        })
    }
}

fn user_peer(u: &types::User) -> enums::InputPeer {
    enums::InputPeer::User(types::InputPeerUser {
        user_id: u.id,
        access_hash: u.access_hash.unwrap_or(0),
    })
}

async fn create(h: &Harness, megagroup: bool) -> Channel {
    let answer = h
        .call(
            ALICE_KEY,
            &functions::channels::CreateChannel {
                broadcast: !megagroup,
                megagroup,
                for_import: false,
                forum: false,
                title: "Mods".into(),
                about: String::new(),
                geo_point: None,
                address: None,
                ttl_period: None,
            },
        )
        .await
        .unwrap();
    let enums::Updates::Updates(u) = answer else {
        panic!("updates expected")
    };
    let enums::Chat::Channel(c) = &u.chats[0] else {
        panic!("channel expected")
    };
    Channel {
        id: c.id,
        access_hash: c.access_hash.unwrap(),
    }
}

/// A megagroup of Alice (creator), Bob and Carol.
async fn trio() -> (
    Harness,
    std::sync::Arc<Pushes>,
    types::User,
    types::User,
    Channel,
) {
    let (h, pushes, _alice, bob) = two_users().await;
    let carol = h.register(CAROL_KEY, "15550303", "Carol").await;
    let channel = create(&h, true).await;
    h.call(
        ALICE_KEY,
        &functions::channels::InviteToChannel {
            channel: channel.input(),
            users: vec![input_user(&bob), input_user(&carol)],
        },
    )
    .await
    .unwrap();
    pushes.got.lock().clear();
    (h, pushes, bob, carol, channel)
}

fn post(channel: &Channel, text: &str, random_id: i64) -> functions::messages::SendMessage {
    functions::messages::SendMessage {
        peer: channel.peer(),
        ..send_to_self(text, random_id)
    }
}

async fn post_id(h: &Harness, key: i64, channel: &Channel, text: &str, random_id: i64) -> i32 {
    let answer = h.call(key, &post(channel, text, random_id)).await.unwrap();
    let enums::Updates::Updates(u) = answer else {
        panic!("updates expected")
    };
    u.updates
        .iter()
        .find_map(|x| match x {
            enums::Update::NewChannelMessage(m) => match &m.message {
                enums::Message::Message(msg) => Some(msg.id),
                _ => None,
            },
            _ => None,
        })
        .expect("posted")
}

fn admin_rights(delete_messages: bool, add_admins: bool) -> enums::ChatAdminRights {
    enums::ChatAdminRights::Rights(types::ChatAdminRights {
        change_info: false,
        post_messages: false,
        edit_messages: false,
        delete_messages,
        ban_users: false,
        invite_users: true,
        pin_messages: false,
        add_admins,
        anonymous: false,
        manage_call: false,
        other: false,
        manage_topics: false,
        post_stories: false,
        edit_stories: false,
        delete_stories: false,
        manage_direct_messages: false,
        manage_ranks: false,
        manage_linked_peers: false,
        manage_welcome_messages: false,
    })
}

fn edit_admin(
    channel: &Channel,
    user: &types::User,
    rights: enums::ChatAdminRights,
) -> functions::channels::EditAdmin {
    functions::channels::EditAdmin {
        channel: channel.input(),
        user_id: input_user(user),
        admin_rights: rights,
        rank: Some("mod".into()),
    }
}

fn delete(channel: &Channel, id: i32) -> functions::channels::DeleteMessages {
    functions::channels::DeleteMessages {
        channel: channel.input(),
        id: vec![id],
    }
}

fn ban(channel: &Channel, user: &types::User, view: bool) -> functions::channels::EditBanned {
    let enums::ChatBannedRights::Rights(mut r) = rights(true);
    r.view_messages = view;
    functions::channels::EditBanned {
        channel: channel.input(),
        participant: user_peer(user),
        banned_rights: enums::ChatBannedRights::Rights(r),
    }
}

fn unban(channel: &Channel, user: &types::User) -> functions::channels::EditBanned {
    functions::channels::EditBanned {
        channel: channel.input(),
        participant: user_peer(user),
        banned_rights: rights(false),
    }
}

async fn count(h: &Harness, channel: &Channel, filter: enums::ChannelParticipantsFilter) -> i32 {
    let answer = h
        .call(
            ALICE_KEY,
            &functions::channels::GetParticipants {
                channel: channel.input(),
                filter,
                offset: 0,
                limit: 50,
                hash: 0,
            },
        )
        .await
        .unwrap();
    let enums::channels::ChannelParticipants::Participants(p) = answer else {
        panic!("participants expected")
    };
    p.count
}

#[tokio::test]
async fn promotion_is_limited_and_grants_delete_rights() {
    let (h, _pushes, bob, carol, channel) = trio().await;
    let carols = post_id(&h, CAROL_KEY, &channel, "carol's", 1).await;
    assert_eq!(
        h.call(BOB_KEY, &delete(&channel, carols))
            .await
            .unwrap_err(),
        err(403, "MESSAGE_DELETE_FORBIDDEN")
    );
    assert_eq!(
        h.call(
            BOB_KEY,
            &edit_admin(&channel, &carol, admin_rights(true, false))
        )
        .await
        .unwrap_err(),
        err(403, "CHAT_ADMIN_REQUIRED")
    );
    h.call(
        ALICE_KEY,
        &edit_admin(&channel, &bob, admin_rights(true, true)),
    )
    .await
    .unwrap();
    let admins = enums::ChannelParticipantsFilter::ChannelParticipantsAdmins;
    assert_eq!(count(&h, &channel, admins.clone()).await, 2);
    h.call(BOB_KEY, &delete(&channel, carols)).await.unwrap();

    // Bob may pass on only what he holds.
    let mut wider = admin_rights(true, false);
    let enums::ChatAdminRights::Rights(r) = &mut wider;
    r.ban_users = true;
    assert_eq!(
        h.call(BOB_KEY, &edit_admin(&channel, &carol, wider))
            .await
            .unwrap_err(),
        err(403, "RIGHT_FORBIDDEN")
    );
    h.call(
        BOB_KEY,
        &edit_admin(&channel, &carol, admin_rights(true, false)),
    )
    .await
    .unwrap();
    assert_eq!(count(&h, &channel, admins.clone()).await, 3);

    // Demoted (rights granting nothing), Bob loses the right again.
    let mut nothing = admin_rights(false, false);
    let enums::ChatAdminRights::Rights(r) = &mut nothing;
    r.invite_users = false;
    h.call(ALICE_KEY, &edit_admin(&channel, &bob, nothing))
        .await
        .unwrap();
    let alices = post_id(&h, ALICE_KEY, &channel, "alice's", 2).await;
    assert_eq!(
        h.call(BOB_KEY, &delete(&channel, alices))
            .await
            .unwrap_err(),
        err(403, "MESSAGE_DELETE_FORBIDDEN")
    );
    assert_eq!(count(&h, &channel, admins).await, 2);
}

#[tokio::test]
async fn kicked_users_lose_access_and_restricted_ones_cannot_write() {
    let (h, pushes, bob, carol, channel) = trio().await;
    assert_eq!(
        h.call(BOB_KEY, &ban(&channel, &carol, true))
            .await
            .unwrap_err(),
        err(403, "CHAT_ADMIN_REQUIRED")
    );
    h.call(ALICE_KEY, &ban(&channel, &carol, true))
        .await
        .unwrap();
    // Carol learns she is out: the channel is forbidden to her now.
    let told = pushes.take_for(carol.id);
    assert!(told.iter().any(|u| matches!(u, enums::Updates::Updates(u)
        if u.chats.iter().any(|c| matches!(c, enums::Chat::ChannelForbidden(_))))));
    let private = err(400, "CHANNEL_PRIVATE");
    assert_eq!(
        h.call(CAROL_KEY, &post(&channel, "let me in", 3))
            .await
            .unwrap_err(),
        private
    );
    assert_eq!(
        h.call(CAROL_KEY, &history(channel.peer(), 0, 0, 10))
            .await
            .unwrap_err(),
        private
    );
    let difference = functions::updates::GetChannelDifference {
        force: false,
        channel: channel.input(),
        filter: enums::ChannelMessagesFilter::Empty,
        pts: 1,
        limit: 10,
    };
    assert_eq!(h.call(CAROL_KEY, &difference).await.unwrap_err(), private);
    let rejoin = functions::channels::JoinChannel {
        channel: channel.input(),
    };
    assert_eq!(h.call(CAROL_KEY, &rejoin).await.unwrap_err(), private);
    let kicked = enums::ChannelParticipantsFilter::ChannelParticipantsKicked(
        types::ChannelParticipantsKicked { q: String::new() },
    );
    assert_eq!(count(&h, &channel, kicked.clone()).await, 1);

    // Restricted: Bob still reads but may not write.
    h.call(ALICE_KEY, &ban(&channel, &bob, false))
        .await
        .unwrap();
    assert_eq!(
        h.call(BOB_KEY, &post(&channel, "hello", 4))
            .await
            .unwrap_err(),
        err(403, "CHAT_WRITE_FORBIDDEN")
    );
    h.call(BOB_KEY, &history(channel.peer(), 0, 0, 10))
        .await
        .unwrap();
    let banned = enums::ChannelParticipantsFilter::ChannelParticipantsBanned(
        types::ChannelParticipantsBanned { q: String::new() },
    );
    assert_eq!(count(&h, &channel, banned).await, 2);

    // Lifting the bans: Bob writes again, Carol may be invited back.
    h.call(ALICE_KEY, &unban(&channel, &bob)).await.unwrap();
    post_id(&h, BOB_KEY, &channel, "back", 5).await;
    h.call(ALICE_KEY, &unban(&channel, &carol)).await.unwrap();
    assert_eq!(count(&h, &channel, kicked).await, 0);
    h.call(
        ALICE_KEY,
        &functions::channels::InviteToChannel {
            channel: channel.input(),
            users: vec![input_user(&carol)],
        },
    )
    .await
    .unwrap();
    h.call(CAROL_KEY, &history(channel.peer(), 0, 0, 10))
        .await
        .unwrap();
}

#[tokio::test]
async fn default_rights_and_slow_mode_hold_back_members_not_admins() {
    let (mut h, _pushes, _bob, _carol, channel) = trio().await;
    let defaults = functions::messages::EditChatDefaultBannedRights {
        peer: channel.peer(),
        banned_rights: rights(true),
    };
    assert_eq!(
        h.call(BOB_KEY, &defaults).await.unwrap_err(),
        err(403, "CHAT_ADMIN_REQUIRED")
    );
    h.call(ALICE_KEY, &defaults).await.unwrap();
    assert_eq!(
        h.call(BOB_KEY, &post(&channel, "muted", 1))
            .await
            .unwrap_err(),
        err(403, "CHAT_WRITE_FORBIDDEN")
    );
    h.call(
        ALICE_KEY,
        &functions::messages::EditChatDefaultBannedRights {
            peer: channel.peer(),
            banned_rights: rights(false),
        },
    )
    .await
    .unwrap();

    let slow = |seconds| functions::channels::ToggleSlowMode {
        channel: channel.input(),
        seconds,
    };
    assert_eq!(
        h.call(ALICE_KEY, &slow(7)).await.unwrap_err(),
        err(400, "SECONDS_INVALID")
    );
    h.call(ALICE_KEY, &slow(30)).await.unwrap();
    post_id(&h, BOB_KEY, &channel, "one", 2).await;
    h.now += 10;
    assert_eq!(
        h.call(BOB_KEY, &post(&channel, "two", 3))
            .await
            .unwrap_err(),
        err(420, "SLOWMODE_WAIT_20")
    );
    post_id(&h, ALICE_KEY, &channel, "admins are not slowed", 4).await;
    post_id(&h, ALICE_KEY, &channel, "at all", 5).await;
    h.now += 20;
    post_id(&h, BOB_KEY, &channel, "two", 3).await;
}

#[tokio::test]
async fn pins_reach_members_full_channel_and_difference() {
    let (h, pushes, bob, _carol, channel) = trio().await;
    let id = post_id(&h, BOB_KEY, &channel, "pin me", 1).await;
    let full = || functions::channels::GetFullChannel {
        channel: channel.input(),
    };
    let enums::messages::ChatFull::Full(before) = h.call(BOB_KEY, &full()).await.unwrap();
    let enums::ChatFull::ChannelFull(before) = before.full_chat else {
        panic!("channelFull expected")
    };
    pushes.got.lock().clear();
    let pin = |unpin| functions::messages::UpdatePinnedMessage {
        silent: false,
        unpin,
        pm_oneside: false,
        peer: channel.peer(),
        id,
    };
    h.call(ALICE_KEY, &pin(false)).await.unwrap();
    let pinned = |pushed: &[enums::Updates], want: bool| {
        pushed.iter().any(|u| matches!(u, enums::Updates::Updates(u)
            if u.updates.iter().any(|x| matches!(x,
                enums::Update::PinnedChannelMessages(p) if p.pinned == want && p.messages == vec![id]))))
    };
    assert!(pinned(&pushes.take_for(bob.id), true));
    let enums::messages::ChatFull::Full(after) = h.call(BOB_KEY, &full()).await.unwrap();
    let enums::ChatFull::ChannelFull(after) = after.full_chat else {
        panic!("channelFull expected")
    };
    assert_eq!(after.pinned_msg_id, Some(id));
    // The pin and its announcement replay in getChannelDifference.
    let diff = h
        .call(
            BOB_KEY,
            &functions::updates::GetChannelDifference {
                force: false,
                channel: channel.input(),
                filter: enums::ChannelMessagesFilter::Empty,
                pts: before.pts,
                limit: 10,
            },
        )
        .await
        .unwrap();
    let enums::updates::ChannelDifference::Difference(d) = diff else {
        panic!("difference expected")
    };
    assert!(d
        .other_updates
        .iter()
        .any(|x| matches!(x, enums::Update::PinnedChannelMessages(p) if p.pinned)));
    assert!(d.new_messages.iter().any(|m| matches!(m,
        enums::Message::Service(s) if matches!(s.action, enums::MessageAction::PinMessage))));

    h.call(ALICE_KEY, &pin(true)).await.unwrap();
    assert!(pinned(&pushes.take_for(bob.id), false));
    h.call(ALICE_KEY, &pin(false)).await.unwrap();
    let all = functions::messages::UnpinAllMessages {
        peer: channel.peer(),
        top_msg_id: None,
        saved_peer_id: None,
    };
    let enums::messages::AffectedHistory::History(a) = h.call(ALICE_KEY, &all).await.unwrap();
    assert_eq!(a.pts_count, 1);
    let enums::messages::ChatFull::Full(last) = h.call(BOB_KEY, &full()).await.unwrap();
    let enums::ChatFull::ChannelFull(last) = last.full_chat else {
        panic!("channelFull expected")
    };
    assert_eq!(last.pinned_msg_id, None);
}

#[tokio::test]
async fn broadcast_signatures_sign_posts() {
    let (h, _pushes, _alice, _bob) = two_users().await;
    let channel = create(&h, false).await;
    let sign = functions::channels::ToggleSignatures {
        signatures_enabled: true,
        profiles_enabled: false,
        channel: channel.input(),
    };
    h.call(ALICE_KEY, &sign).await.unwrap();
    assert_eq!(
        h.call(ALICE_KEY, &sign).await.unwrap_err(),
        err(400, "CHAT_NOT_MODIFIED")
    );
    let answer = h
        .call(ALICE_KEY, &post(&channel, "signed", 1))
        .await
        .unwrap();
    let enums::Updates::Updates(u) = answer else {
        panic!("updates expected")
    };
    assert!(u.updates.iter().any(|x| matches!(x,
        enums::Update::NewChannelMessage(m) if matches!(&m.message,
            enums::Message::Message(msg) if msg.post_author.as_deref() == Some("Alice")))));
}

#[tokio::test]
async fn views_count_once_per_viewer_on_broadcasts() {
    let (h, _pushes, _alice, bob) = two_users().await;
    let channel = create(&h, false).await;
    h.call(
        ALICE_KEY,
        &functions::channels::InviteToChannel {
            channel: channel.input(),
            users: vec![input_user(&bob)],
        },
    )
    .await
    .unwrap();
    let id = post_id(&h, ALICE_KEY, &channel, "news", 1).await;
    let views = |increment| functions::messages::GetMessagesViews {
        peer: channel.peer(),
        id: vec![id, 999],
        increment,
    };
    let counts = |answer: enums::messages::MessageViews| {
        let enums::messages::MessageViews::Views(v) = answer;
        v.views
            .into_iter()
            .map(|enums::MessageViews::Views(v)| v.views)
            .collect::<Vec<_>>()
    };
    for _ in 0..2 {
        let got = counts(h.call(BOB_KEY, &views(true)).await.unwrap());
        assert_eq!(got, vec![Some(1), None], "Bob's view counts once");
    }
    let got = counts(h.call(ALICE_KEY, &views(true)).await.unwrap());
    assert_eq!(got, vec![Some(2), None]);
    let got = counts(h.call(BOB_KEY, &views(false)).await.unwrap());
    assert_eq!(got, vec![Some(2), None]);
}

fn channel_ids(answer: &enums::messages::Messages) -> Vec<i32> {
    let enums::messages::Messages::ChannelMessages(m) = answer else {
        panic!("channelMessages expected")
    };
    m.messages
        .iter()
        .filter_map(|m| match m {
            enums::Message::Message(m) => Some(m.id),
            enums::Message::Service(s) => Some(s.id),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn delete_history_and_delete_channel() {
    let (h, _pushes, _bob, _carol, channel) = trio().await;
    for i in 1..=3 {
        post_id(&h, BOB_KEY, &channel, &format!("m{i}"), i).await;
    }
    let delete_history = |for_everyone| functions::channels::DeleteHistory {
        for_everyone,
        channel: channel.input(),
        max_id: 0,
    };
    // For himself, Bob hides everything so far; Alice still sees it.
    let enums::Updates::Updates(u) = h.call(BOB_KEY, &delete_history(false)).await.unwrap() else {
        panic!("updates expected")
    };
    assert!(
        matches!(&u.updates[..], [enums::Update::ChannelAvailableMessages(a)]
        if a.available_min_id > 0)
    );
    let mine = channel_ids(
        &h.call(BOB_KEY, &history(channel.peer(), 0, 0, 10))
            .await
            .unwrap(),
    );
    assert!(mine.is_empty(), "hidden for Bob: {mine:?}");
    let alices = channel_ids(
        &h.call(ALICE_KEY, &history(channel.peer(), 0, 0, 10))
            .await
            .unwrap(),
    );
    assert!(alices.len() >= 3);
    assert_eq!(
        h.call(BOB_KEY, &delete_history(true)).await.unwrap_err(),
        err(403, "CHAT_ADMIN_REQUIRED")
    );
    h.call(ALICE_KEY, &delete_history(true)).await.unwrap();
    let left = channel_ids(
        &h.call(ALICE_KEY, &history(channel.peer(), 0, 0, 10))
            .await
            .unwrap(),
    );
    assert!(left.is_empty(), "deleted for everyone: {left:?}");

    let delete = functions::channels::DeleteChannel {
        channel: channel.input(),
    };
    assert_eq!(
        h.call(BOB_KEY, &delete).await.unwrap_err(),
        err(403, "CHAT_ADMIN_REQUIRED")
    );
    h.call(ALICE_KEY, &delete).await.unwrap();
    assert_eq!(
        h.call(BOB_KEY, &history(channel.peer(), 0, 0, 10))
            .await
            .unwrap_err(),
        err(400, "CHANNEL_PRIVATE")
    );
}
