//! Saved Messages end to end: send (with random_id dedupe), history paging, dialogs,
//! update state and difference, read marks, profile.

mod common;

use common::{err, history, history_ids, send_to_self, Harness};
use echo_tl::{enums, functions, types};

const KEY: i64 = 0x51;

/// The two updates every send to self answers with: (message id, random id, pts, message).
fn sent(answer: enums::Updates) -> (i32, i64, i32, types::Message) {
    let enums::Updates::Updates(u) = answer else {
        panic!("full updates expected, got {answer:?}")
    };
    assert!(matches!(u.users.as_slice(), [enums::User::User(me)] if me.is_self));
    let [enums::Update::MessageId(id), enums::Update::NewMessage(new)] = u.updates.as_slice()
    else {
        panic!(
            "updateMessageID + updateNewMessage expected, got {:?}",
            u.updates
        )
    };
    assert_eq!(new.pts_count, 1);
    let enums::Message::Message(m) = &new.message else {
        panic!("message expected")
    };
    assert_eq!(m.id, id.id);
    (id.id, id.random_id, new.pts, m.clone())
}

fn state(s: enums::updates::State) -> types::updates::State {
    let enums::updates::State::State(s) = s;
    s
}

#[tokio::test]
async fn full_flow() {
    let h = Harness::new().await;
    let me = h.register(KEY, "+44 20 7946 0001", "Ann").await;

    let (id1, rnd1, pts1, m1) = sent(h.call(KEY, &send_to_self("hello", 111)).await.unwrap());
    assert_eq!((rnd1, pts1), (111, 2));
    // Nothing in Saved Messages is outgoing (what TDLib expects of Telegram).
    assert!(!m1.out);
    let self_peer = enums::Peer::User(types::PeerUser { user_id: me.id });
    assert_eq!(m1.peer_id, self_peer);
    assert_eq!(m1.from_id, Some(self_peer.clone()));
    assert_eq!(m1.saved_peer_id, Some(self_peer.clone()));
    assert_eq!(m1.message, "hello");

    // inputPeerUser with our own id and access hash is Saved Messages too.
    let mut second = send_to_self("world", 222);
    second.peer = enums::InputPeer::User(types::InputPeerUser {
        user_id: me.id,
        access_hash: me.access_hash.unwrap(),
    });
    second.entities = Some(vec![enums::MessageEntity::Bold(types::MessageEntityBold {
        offset: 0,
        length: 5,
    })]);
    let (id2, _, pts2, m2) = sent(h.call(KEY, &second).await.unwrap());
    assert_eq!((id2, pts2), (id1 + 1, 3));
    assert_eq!(m2.entities, second.entities);

    // A retry with the same random_id gets the same message back and stores nothing.
    let (id_again, rnd_again, pts_again, _) =
        sent(h.call(KEY, &send_to_self("hello", 111)).await.unwrap());
    assert_eq!((id_again, rnd_again, pts_again), (id1, 111, 2));

    let answer = h
        .call(KEY, &history(enums::InputPeer::PeerSelf, 0, 0, 20))
        .await
        .unwrap();
    assert_eq!(history_ids(&answer), (vec![id2, id1], None));

    let dialogs = h
        .call(
            KEY,
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
        panic!("complete dialog list expected")
    };
    let [enums::Dialog::Dialog(saved)] = d.dialogs.as_slice() else {
        panic!("one dialog expected")
    };
    assert_eq!(saved.peer, self_peer);
    assert_eq!(saved.top_message, id2);
    assert_eq!(saved.unread_count, 0);
    assert!(matches!(d.messages.as_slice(), [enums::Message::Message(m)] if m.id == id2));
    assert!(d
        .users
        .iter()
        .any(|u| matches!(u, enums::User::User(u) if u.id == me.id && u.is_self)));

    let st = state(h.call(KEY, &functions::updates::GetState {}).await.unwrap());
    assert_eq!((st.pts, st.qts, st.seq, st.unread_count), (3, 0, 0, 0));

    let diff = |pts| functions::updates::GetDifference {
        pts,
        pts_limit: None,
        pts_total_limit: None,
        date: 0,
        qts: 0,
        qts_limit: None,
    };
    let behind = h.call(KEY, &diff(1)).await.unwrap();
    let enums::updates::Difference::Difference(behind) = behind else {
        panic!("difference expected, got {behind:?}")
    };
    let ids: Vec<i32> = behind
        .new_messages
        .iter()
        .map(|m| match m {
            enums::Message::Message(m) => m.id,
            _ => panic!(),
        })
        .collect();
    assert_eq!(ids, vec![id1, id2]);
    assert_eq!(state(behind.state).pts, 3);
    assert!(
        matches!(h.call(KEY, &diff(2)).await.unwrap(), enums::updates::Difference::Difference(d) if d.new_messages.len() == 1)
    );
    assert!(matches!(
        h.call(KEY, &diff(3)).await.unwrap(),
        enums::updates::Difference::Empty(_)
    ));
    // A client that claims to be ahead starts over from the server's pts.
    assert!(
        matches!(h.call(KEY, &diff(9)).await.unwrap(), enums::updates::Difference::TooLong(t) if t.pts == 3)
    );

    let peer_dialogs = h
        .call(
            KEY,
            &functions::messages::GetPeerDialogs {
                peers: vec![enums::InputDialogPeer::Peer(types::InputDialogPeer {
                    peer: enums::InputPeer::PeerSelf,
                })],
            },
        )
        .await
        .unwrap();
    let enums::messages::PeerDialogs::Dialogs(pd) = peer_dialogs;
    assert_eq!(pd.dialogs.len(), 1);
    assert_eq!(state(pd.state).pts, 3);

    let read = h
        .call(
            KEY,
            &functions::messages::ReadHistory {
                peer: enums::InputPeer::PeerSelf,
                max_id: 0,
            },
        )
        .await;
    let enums::messages::AffectedMessages::Messages(read) = read.unwrap();
    // Reading is a logged box change with its own pts (updateReadHistoryInbox).
    assert_eq!((read.pts, read.pts_count), (4, 1));
}

#[tokio::test]
async fn history_pages_follow_offsets() {
    let h = Harness::new().await;
    h.register(KEY, "15550001", "Ann").await;
    for i in 1..=5 {
        h.call(KEY, &send_to_self(&format!("m{i}"), i))
            .await
            .unwrap();
    }
    let page = |offset_id, add_offset, limit| {
        history(enums::InputPeer::PeerSelf, offset_id, add_offset, limit)
    };
    assert_eq!(
        history_ids(&h.call(KEY, &page(0, 0, 2)).await.unwrap()),
        (vec![5, 4], Some(5))
    );
    assert_eq!(
        history_ids(&h.call(KEY, &page(4, 0, 2)).await.unwrap()),
        (vec![3, 2], Some(5))
    );
    // add_offset -limit reads the other way: message 2 itself and the one newer.
    assert_eq!(
        history_ids(&h.call(KEY, &page(2, -2, 2)).await.unwrap()),
        (vec![3, 2], Some(5))
    );
    let mut bounded = page(0, 0, 10);
    bounded.max_id = 5;
    bounded.min_id = 2;
    assert_eq!(
        history_ids(&h.call(KEY, &bounded).await.unwrap()),
        (vec![4, 3], Some(5))
    );
}

#[tokio::test]
async fn bad_messages_and_peers_are_refused() {
    let h = Harness::new().await;
    let me = h.register(KEY, "15550001", "Ann").await;
    assert_eq!(
        h.call(KEY, &send_to_self("", 1)).await.unwrap_err(),
        err(400, "MESSAGE_EMPTY")
    );
    assert_eq!(
        h.call(KEY, &send_to_self(" \n ", 2)).await.unwrap_err(),
        err(400, "MESSAGE_EMPTY")
    );
    assert!(h
        .call(KEY, &send_to_self(&"x".repeat(4096), 3))
        .await
        .is_ok());
    assert_eq!(
        h.call(KEY, &send_to_self(&"x".repeat(4097), 4))
            .await
            .unwrap_err(),
        err(400, "MESSAGE_TOO_LONG")
    );

    let mut wrong_hash = send_to_self("hi", 5);
    wrong_hash.peer = enums::InputPeer::User(types::InputPeerUser {
        user_id: me.id,
        access_hash: me.access_hash.unwrap().wrapping_add(1),
    });
    assert_eq!(
        h.call(KEY, &wrong_hash).await.unwrap_err(),
        err(400, "PEER_ID_INVALID")
    );
    let mut other = send_to_self("hi", 6);
    other.peer = enums::InputPeer::User(types::InputPeerUser {
        user_id: me.id + 1,
        access_hash: 1,
    });
    assert_eq!(
        h.call(KEY, &other).await.unwrap_err(),
        err(400, "PEER_ID_INVALID")
    );
    let other_history = history(
        enums::InputPeer::Chat(types::InputPeerChat { chat_id: 5 }),
        0,
        0,
        10,
    );
    assert_eq!(
        h.call(KEY, &other_history).await.unwrap_err(),
        err(400, "PEER_ID_INVALID")
    );
}

#[tokio::test]
async fn users_and_profile() {
    let h = Harness::new().await;
    let me = h.register(KEY, "15550001", "Ann").await;
    let hash = me.access_hash.unwrap();
    let by_hash = |access_hash| {
        enums::InputUser::User(types::InputUser {
            user_id: me.id,
            access_hash,
        })
    };
    let users = h
        .call(
            KEY,
            &functions::users::GetUsers {
                id: vec![by_hash(hash), by_hash(hash ^ 1), enums::InputUser::Empty],
            },
        )
        .await
        .unwrap();
    assert_eq!(users.len(), 1, "a wrong access hash is left out");
    let full = h
        .call(
            KEY,
            &functions::users::GetFullUser {
                id: by_hash(hash ^ 1),
            },
        )
        .await;
    assert_eq!(full.unwrap_err(), err(400, "USER_ID_INVALID"));

    let updated = h
        .call(
            KEY,
            &functions::account::UpdateProfile {
                first_name: None,
                last_name: Some("Lee".into()),
                about: Some("hi there".into()),
            },
        )
        .await
        .unwrap();
    assert!(
        matches!(updated, enums::User::User(ref u) if u.first_name.as_deref() == Some("Ann") && u.last_name.as_deref() == Some("Lee"))
    );
    let bad = h
        .call(
            KEY,
            &functions::account::UpdateProfile {
                first_name: Some("".into()),
                last_name: None,
                about: None,
            },
        )
        .await;
    assert_eq!(bad.unwrap_err(), err(400, "FIRST_NAME_INVALID"));

    let enums::users::UserFull::Full(full) = h
        .call(
            KEY,
            &functions::users::GetFullUser {
                id: enums::InputUser::UserSelf,
            },
        )
        .await
        .unwrap();
    let enums::UserFull::Full(full_user) = full.full_user;
    assert_eq!(full_user.about.as_deref(), Some("hi there"));
    assert_eq!(full_user.common_chats_count, 0);

    assert!(h
        .call(KEY, &functions::account::UpdateStatus { offline: false })
        .await
        .unwrap());
    let users = h
        .call(
            KEY,
            &functions::users::GetUsers {
                id: vec![enums::InputUser::UserSelf],
            },
        )
        .await
        .unwrap();
    assert!(
        matches!(&users[0], enums::User::User(u) if matches!(u.status, Some(enums::UserStatus::Online(_))))
    );
    assert!(h
        .call(KEY, &functions::account::UpdateStatus { offline: true })
        .await
        .unwrap());
    let users = h
        .call(
            KEY,
            &functions::users::GetUsers {
                id: vec![enums::InputUser::UserSelf],
            },
        )
        .await
        .unwrap();
    assert!(
        matches!(&users[0], enums::User::User(u) if matches!(u.status, Some(enums::UserStatus::Offline(_))))
    );

    let check = |name: &str| functions::account::CheckUsername {
        username: name.into(),
    };
    assert!(h.call(KEY, &check("ann_lee")).await.unwrap());
    assert_eq!(
        h.call(KEY, &check("a")).await.unwrap_err(),
        err(400, "USERNAME_INVALID")
    );
    let set = |name: &str| functions::account::UpdateUsername {
        username: name.into(),
    };
    let named = h.call(KEY, &set("ann_lee")).await.unwrap();
    assert!(matches!(named, enums::User::User(ref u) if u.username.as_deref() == Some("ann_lee")));
    assert_eq!(
        h.call(KEY, &set("ann_lee")).await.unwrap_err(),
        err(400, "USERNAME_NOT_MODIFIED")
    );

    // Someone else cannot take it, in any case.
    const OTHER: i64 = 0x52;
    h.register(OTHER, "15550002", "Bob").await;
    assert_eq!(
        h.call(OTHER, &check("ANN_LEE")).await.unwrap_err(),
        err(400, "USERNAME_OCCUPIED")
    );
    assert_eq!(
        h.call(OTHER, &set("Ann_Lee")).await.unwrap_err(),
        err(400, "USERNAME_OCCUPIED")
    );

    let settings = h
        .call(
            KEY,
            &functions::account::GetNotifySettings {
                peer: enums::InputNotifyPeer::Peer(types::InputNotifyPeer {
                    peer: enums::InputPeer::PeerSelf,
                }),
            },
        )
        .await
        .unwrap();
    assert!(matches!(settings, enums::PeerNotifySettings::Settings(s) if s.mute_until == Some(0)));
}
