//! Supergroups and broadcast channels through the API (core.telegram.org/api/channel):
//! creation, invites, one message id/pts sequence per channel, live pushes, access and
//! rights errors, updates.getChannelDifference (empty, difference, tooLong), channel
//! dialogs and the channel news of updates.getDifference.

mod common;

use common::chat::{difference, two_users, Pushes, ALICE_KEY, BOB_KEY};
use common::groups::{input_user, CAROL_KEY};
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

    fn wrong_hash(&self) -> enums::InputChannel {
        enums::InputChannel::Channel(types::InputChannel {
            channel_id: self.id,
            access_hash: self.access_hash ^ 1,
        })
    }
}

async fn create(h: &Harness, key: i64, megagroup: bool) -> Channel {
    let answer = h
        .call(
            key,
            &functions::channels::CreateChannel {
                broadcast: !megagroup,
                megagroup,
                for_import: false,
                forum: false,
                title: "Club".into(),
                about: "all about it".into(),
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
    assert!(u
        .updates
        .iter()
        .any(|x| matches!(x, enums::Update::Channel(_))));
    assert!(u.updates.iter().any(|x| matches!(x,
        enums::Update::NewChannelMessage(m) if matches!(&m.message,
            enums::Message::Service(s) if matches!(s.action, enums::MessageAction::ChannelCreate(_))))));
    let enums::Chat::Channel(c) = &u.chats[0] else {
        panic!("channel expected")
    };
    assert!(c.creator && c.megagroup == megagroup && c.broadcast != megagroup);
    Channel {
        id: c.id,
        access_hash: c.access_hash.unwrap(),
    }
}

async fn invite(h: &Harness, key: i64, channel: &Channel, user: &types::User) {
    h.call(
        key,
        &functions::channels::InviteToChannel {
            channel: channel.input(),
            users: vec![input_user(user)],
        },
    )
    .await
    .unwrap();
}

fn post(channel: &Channel, text: &str, random_id: i64) -> functions::messages::SendMessage {
    functions::messages::SendMessage {
        peer: channel.peer(),
        ..send_to_self(text, random_id)
    }
}

/// The (id, pts) of the updateNewChannelMessage in an answer.
fn posted(answer: &enums::Updates) -> (i32, i32) {
    let enums::Updates::Updates(u) = answer else {
        panic!("updates expected")
    };
    u.updates
        .iter()
        .find_map(|x| match x {
            enums::Update::NewChannelMessage(m) => match &m.message {
                enums::Message::Message(msg) => Some((msg.id, m.pts)),
                enums::Message::Service(s) => Some((s.id, m.pts)),
                _ => None,
            },
            _ => None,
        })
        .expect("a new channel message")
}

fn channel_difference(
    channel: &Channel,
    pts: i32,
    limit: i32,
) -> functions::updates::GetChannelDifference {
    functions::updates::GetChannelDifference {
        force: false,
        channel: channel.input(),
        filter: enums::ChannelMessagesFilter::Empty,
        pts,
        limit,
    }
}

fn new_channel_messages(pushed: &[enums::Updates]) -> Vec<String> {
    let mut out = Vec::new();
    for u in pushed {
        if let enums::Updates::Updates(u) = u {
            for x in &u.updates {
                if let enums::Update::NewChannelMessage(m) = x {
                    if let enums::Message::Message(msg) = &m.message {
                        out.push(msg.message.clone());
                    }
                }
            }
        }
    }
    out
}

async fn megagroup_with_bob() -> (
    Harness,
    std::sync::Arc<Pushes>,
    types::User,
    types::User,
    Channel,
) {
    let (h, pushes, alice, bob) = two_users().await;
    let channel = create(&h, ALICE_KEY, true).await;
    invite(&h, ALICE_KEY, &channel, &bob).await;
    pushes.got.lock().clear();
    (h, pushes, alice, bob, channel)
}

#[tokio::test]
async fn members_share_one_id_and_pts_sequence_and_get_pushes() {
    let (h, pushes, alice, bob, channel) = megagroup_with_bob().await;
    // Service messages: create (1), Bob added (2).
    let a = h
        .call(ALICE_KEY, &post(&channel, "hi bob", 10))
        .await
        .unwrap();
    let b = h
        .call(BOB_KEY, &post(&channel, "hi alice", 10))
        .await
        .unwrap();
    assert_eq!(posted(&a), (3, 4));
    assert_eq!(posted(&b), (4, 5), "one sequence for everyone");
    let again = h
        .call(BOB_KEY, &post(&channel, "hi alice", 10))
        .await
        .unwrap();
    assert_eq!(
        posted(&again).0,
        4,
        "a repeated random_id is the same message"
    );
    // Everyone gets each post once (the author's other sessions included).
    assert_eq!(
        new_channel_messages(&pushes.take_for(bob.id)),
        vec!["hi bob", "hi alice"]
    );
    assert_eq!(
        new_channel_messages(&pushes.take_for(alice.id)),
        vec!["hi bob", "hi alice"]
    );

    let answer = h
        .call(BOB_KEY, &history(channel.peer(), 0, 0, 10))
        .await
        .unwrap();
    let enums::messages::Messages::ChannelMessages(m) = answer else {
        panic!("channelMessages expected")
    };
    assert_eq!((m.count, m.pts), (4, 5));
    assert_eq!(m.messages.len(), 4);
    assert!(
        matches!(&m.messages[0], enums::Message::Message(x) if x.out && x.message == "hi alice")
    );
    assert!(
        matches!(&m.messages[1], enums::Message::Message(x) if !x.out && x.message == "hi bob")
    );

    let got = h
        .call(
            ALICE_KEY,
            &functions::channels::GetMessages {
                channel: channel.input(),
                id: vec![
                    enums::InputMessage::Id(types::InputMessageId { id: 3 }),
                    enums::InputMessage::Id(types::InputMessageId { id: 99 }),
                ],
            },
        )
        .await
        .unwrap();
    let enums::messages::Messages::ChannelMessages(m) = got else {
        panic!("channelMessages expected")
    };
    assert!(matches!(&m.messages[0], enums::Message::Message(x) if x.id == 3));
    assert!(matches!(&m.messages[1], enums::Message::Empty(_)));

    let participants = h
        .call(
            BOB_KEY,
            &functions::channels::GetParticipants {
                channel: channel.input(),
                filter: enums::ChannelParticipantsFilter::ChannelParticipantsRecent,
                offset: 0,
                limit: 100,
                hash: 0,
            },
        )
        .await
        .unwrap();
    let enums::channels::ChannelParticipants::Participants(p) = participants else {
        panic!("participants expected")
    };
    assert_eq!(p.count, 2);
    assert!(matches!(
        p.participants[0],
        enums::ChannelParticipant::Creator(_)
    ));
    assert!(matches!(
        p.participants[1],
        enums::ChannelParticipant::ParticipantSelf(_)
    ));

    let full = h
        .call(
            BOB_KEY,
            &functions::channels::GetFullChannel {
                channel: channel.input(),
            },
        )
        .await
        .unwrap();
    let enums::messages::ChatFull::Full(full) = full;
    let enums::ChatFull::ChannelFull(f) = full.full_chat else {
        panic!("channelFull expected")
    };
    assert_eq!(
        (f.participants_count, f.admins_count, f.pts),
        (Some(2), Some(1), 5)
    );
    assert_eq!(f.about, "all about it");
    assert!(f.can_view_participants);
    // Bob joined after messages 1..2 and read nothing since: Alice's "hi bob" is unread.
    assert_eq!(f.unread_count, 1);
}

#[tokio::test]
async fn access_and_rights_errors() {
    let (h, _pushes, _alice, bob, channel) = megagroup_with_bob().await;
    let _carol = h.register(CAROL_KEY, "15550303", "Carol").await;
    let wrong = h
        .call(
            BOB_KEY,
            &functions::channels::GetFullChannel {
                channel: channel.wrong_hash(),
            },
        )
        .await;
    assert_eq!(wrong.unwrap_err(), err(400, "CHANNEL_INVALID"));
    let outsider = h.call(CAROL_KEY, &history(channel.peer(), 0, 0, 10)).await;
    assert_eq!(outsider.unwrap_err(), err(400, "CHANNEL_PRIVATE"));
    let outsider_post = h.call(CAROL_KEY, &post(&channel, "let me in", 1)).await;
    assert_eq!(outsider_post.unwrap_err(), err(400, "CHANNEL_PRIVATE"));
    let join = h
        .call(
            CAROL_KEY,
            &functions::channels::JoinChannel {
                channel: channel.input(),
            },
        )
        .await;
    assert_eq!(
        join.unwrap_err(),
        err(400, "CHANNEL_PRIVATE"),
        "private: invite only"
    );

    let mine = posted(
        &h.call(ALICE_KEY, &post(&channel, "alice's", 1))
            .await
            .unwrap(),
    )
    .0;
    let bobs = posted(&h.call(BOB_KEY, &post(&channel, "bob's", 1)).await.unwrap()).0;
    let delete = |ids: Vec<i32>| functions::channels::DeleteMessages {
        channel: channel.input(),
        id: ids,
    };
    let forbidden = h.call(BOB_KEY, &delete(vec![mine])).await;
    assert_eq!(forbidden.unwrap_err(), err(403, "MESSAGE_DELETE_FORBIDDEN"));
    let edit = functions::messages::EditMessage {
        no_webpage: false,
        invert_media: false,
        peer: channel.peer(),
        id: mine,
        message: Some("edited by bob".into()),
        media: None,
        reply_markup: None,
        entities: None,
        schedule_date: None,
        schedule_repeat_period: None,
        quick_reply_shortcut_id: None,
        rich_message: None,
    };
    assert_eq!(
        h.call(BOB_KEY, &edit).await.unwrap_err(),
        err(403, "MESSAGE_AUTHOR_REQUIRED")
    );
    let own_edit = h.call(ALICE_KEY, &edit).await.unwrap();
    assert!(matches!(&own_edit, enums::Updates::Updates(u)
        if matches!(&u.updates[0], enums::Update::EditChannelMessage(_))));
    let pts_before = posted(&h.call(BOB_KEY, &post(&channel, "filler", 2)).await.unwrap()).1;
    // The creator deletes anyone's messages; the answer carries the channel pts.
    let enums::messages::AffectedMessages::Messages(affected) =
        h.call(ALICE_KEY, &delete(vec![bobs, mine])).await.unwrap();
    assert_eq!((affected.pts, affected.pts_count), (pts_before + 2, 2));
    let title = h
        .call(
            BOB_KEY,
            &functions::channels::EditTitle {
                channel: channel.input(),
                title: "Bob's club".into(),
            },
        )
        .await;
    assert_eq!(title.unwrap_err(), err(403, "CHAT_ADMIN_REQUIRED"));

    // Broadcasts: subscribers read, only admins post.
    let news = create(&h, ALICE_KEY, false).await;
    invite(&h, ALICE_KEY, &news, &bob).await;
    let refused = h.call(BOB_KEY, &post(&news, "can I?", 5)).await;
    assert_eq!(refused.unwrap_err(), err(403, "CHAT_ADMIN_REQUIRED"));
    let ok = h
        .call(ALICE_KEY, &post(&news, "breaking", 5))
        .await
        .unwrap();
    let enums::Updates::Updates(u) = &ok else {
        panic!()
    };
    assert!(u.updates.iter().any(|x| matches!(x, enums::Update::NewChannelMessage(m)
        if matches!(&m.message, enums::Message::Message(msg) if msg.post && msg.from_id.is_none()))));
    let bob_history = h
        .call(BOB_KEY, &history(news.peer(), 0, 0, 10))
        .await
        .unwrap();
    let enums::messages::Messages::ChannelMessages(m) = bob_history else {
        panic!()
    };
    assert_eq!(m.count, 2, "the creation and the post");
}

#[tokio::test]
async fn channel_difference_empty_difference_and_too_long() {
    let (h, _pushes, _alice, _bob, channel) = megagroup_with_bob().await;
    let start = match h
        .call(BOB_KEY, &channel_difference(&channel, 1, 100))
        .await
        .unwrap()
    {
        enums::updates::ChannelDifference::Difference(d) => {
            assert!(d.r#final);
            assert_eq!(d.new_messages.len(), 2, "the two service messages");
            d.pts
        }
        other => panic!("difference expected, got {other:?}"),
    };
    assert!(matches!(
        h.call(BOB_KEY, &channel_difference(&channel, start, 100)).await.unwrap(),
        enums::updates::ChannelDifference::Empty(e) if e.r#final && e.pts == start
    ));
    for i in 0..20 {
        h.call(ALICE_KEY, &post(&channel, &format!("m{i}"), 100 + i))
            .await
            .unwrap();
    }
    h.call(
        ALICE_KEY,
        &functions::channels::DeleteMessages {
            channel: channel.input(),
            id: vec![3],
        },
    )
    .await
    .unwrap();
    match h
        .call(BOB_KEY, &channel_difference(&channel, start, 100))
        .await
        .unwrap()
    {
        enums::updates::ChannelDifference::Difference(d) => {
            assert!(d.r#final);
            assert_eq!(d.pts, start + 21);
            assert_eq!(d.new_messages.len(), 19, "m0 was deleted");
            assert!(d.other_updates.iter().any(|u| matches!(u,
                enums::Update::DeleteChannelMessages(x) if x.messages == vec![3])));
        }
        other => panic!("difference expected, got {other:?}"),
    }
    match h
        .call(BOB_KEY, &channel_difference(&channel, start, 10))
        .await
        .unwrap()
    {
        enums::updates::ChannelDifference::TooLong(t) => {
            assert_eq!(t.messages.len(), 10);
            let enums::Dialog::Dialog(d) = t.dialog else {
                panic!()
            };
            assert_eq!(d.pts, Some(start + 21));
            assert_eq!(d.top_message, 22);
        }
        other => panic!("tooLong expected, got {other:?}"),
    }
}

#[tokio::test]
async fn dialogs_reads_and_common_difference() {
    let (mut h, pushes, alice, bob, channel) = megagroup_with_bob().await;
    h.call(BOB_KEY, &send_to_self("note", 1)).await.unwrap();
    let bob_state = h
        .call(BOB_KEY, &functions::updates::GetState {})
        .await
        .unwrap();
    let enums::updates::State::State(bob_state) = bob_state;
    h.now += 10;
    for i in 0..3 {
        h.call(ALICE_KEY, &post(&channel, &format!("p{i}"), 50 + i))
            .await
            .unwrap();
    }
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
        panic!("the whole list expected")
    };
    let enums::Dialog::Dialog(first) = &d.dialogs[0] else {
        panic!()
    };
    assert!(matches!(first.peer, enums::Peer::Channel(ref c) if c.channel_id == channel.id));
    assert_eq!(
        (first.top_message, first.unread_count, first.pts),
        (5, 3, Some(6))
    );
    assert_eq!(d.dialogs.len(), 2, "the channel and Saved Messages");
    assert!(d
        .chats
        .iter()
        .any(|c| matches!(c, enums::Chat::Channel(c) if c.id == channel.id)));

    // The common getDifference names the channel with news since Bob's state.
    let mut req = difference(bob_state.pts);
    req.date = bob_state.date;
    let diff = h.call(BOB_KEY, &req).await.unwrap();
    let enums::updates::Difference::Difference(diff) = diff else {
        panic!("a difference with channel news expected")
    };
    assert!(diff.other_updates.iter().any(|u| matches!(u,
        enums::Update::ChannelTooLong(c) if c.channel_id == channel.id && c.pts == Some(6))));

    pushes.got.lock().clear();
    let read = h
        .call(
            BOB_KEY,
            &functions::channels::ReadHistory {
                channel: channel.input(),
                max_id: 4,
            },
        )
        .await
        .unwrap();
    assert!(read);
    let to_alice = pushes.take_for(alice.id);
    assert!(to_alice
        .iter()
        .any(|u| matches!(u, enums::Updates::Updates(u)
        if matches!(&u.updates[0], enums::Update::ReadChannelOutbox(o) if o.max_id == 4))));
    assert!(pushes.take_for(bob.id).iter().any(|u| matches!(u, enums::Updates::Updates(u)
        if matches!(&u.updates[0], enums::Update::ReadChannelInbox(i) if i.max_id == 4 && i.still_unread_count == 1))));
    let peer_dialogs = h
        .call(
            BOB_KEY,
            &functions::messages::GetPeerDialogs {
                peers: vec![enums::InputDialogPeer::Peer(types::InputDialogPeer {
                    peer: channel.peer(),
                })],
            },
        )
        .await
        .unwrap();
    let enums::messages::PeerDialogs::Dialogs(p) = peer_dialogs;
    let enums::Dialog::Dialog(d) = &p.dialogs[0] else {
        panic!()
    };
    assert_eq!((d.read_inbox_max_id, d.unread_count), (4, 1));

    let left = h
        .call(
            BOB_KEY,
            &functions::channels::LeaveChannel {
                channel: channel.input(),
            },
        )
        .await
        .unwrap();
    assert!(matches!(&left, enums::Updates::Updates(u)
        if matches!(&u.chats[0], enums::Chat::ChannelForbidden(_))));
    let after = h.call(BOB_KEY, &history(channel.peer(), 0, 0, 10)).await;
    assert_eq!(after.unwrap_err(), err(400, "CHANNEL_PRIVATE"));
}
