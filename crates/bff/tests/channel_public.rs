//! Public channels and channel invite links through the API (core.telegram.org/api/channel,
//! /api/invites): one username namespace for users and channels, outsiders of public and
//! private channels, exportMessageLink, invite usage limits, expiry, revocation and join
//! requests.

mod common;

use common::chat::{two_users, ALICE_KEY, BOB_KEY};
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

fn set_username(channel: &Channel, name: &str) -> functions::channels::UpdateUsername {
    functions::channels::UpdateUsername {
        channel: channel.input(),
        username: name.into(),
    }
}

fn export(channel: &Channel, usage_limit: Option<i32>) -> functions::messages::ExportChatInvite {
    functions::messages::ExportChatInvite {
        legacy_revoke_permanent: false,
        request_needed: false,
        peer: channel.peer(),
        expire_date: None,
        usage_limit,
        title: None,
        subscription_pricing: None,
    }
}

async fn link_hash(h: &Harness, req: &functions::messages::ExportChatInvite) -> String {
    let enums::ExportedChatInvite::ChatInviteExported(e) = h.call(ALICE_KEY, req).await.unwrap()
    else {
        panic!("chatInviteExported expected")
    };
    e.link.rsplit('+').next().unwrap().to_owned()
}

fn import(hash: &str) -> functions::messages::ImportChatInvite {
    functions::messages::ImportChatInvite { hash: hash.into() }
}

fn check(hash: &str) -> functions::messages::CheckChatInvite {
    functions::messages::CheckChatInvite { hash: hash.into() }
}

#[tokio::test]
async fn usernames_share_one_namespace_and_open_the_channel_to_outsiders() {
    let (h, _pushes, _alice, _bob) = two_users().await;
    let channel = create(&h, ALICE_KEY, false).await;
    h.call(
        BOB_KEY,
        &functions::account::UpdateUsername {
            username: "bobby".into(),
        },
    )
    .await
    .unwrap();
    let taken = h.call(ALICE_KEY, &set_username(&channel, "Bobby")).await;
    assert_eq!(taken.unwrap_err(), err(400, "USERNAME_OCCUPIED"));
    let bad = h.call(ALICE_KEY, &set_username(&channel, "a_")).await;
    assert_eq!(bad.unwrap_err(), err(400, "USERNAME_INVALID"));
    // A private channel shows nothing to outsiders.
    let private = h
        .call(
            BOB_KEY,
            &functions::channels::GetFullChannel {
                channel: channel.input(),
            },
        )
        .await;
    assert_eq!(private.unwrap_err(), err(400, "CHANNEL_PRIVATE"));
    assert!(h
        .call(ALICE_KEY, &set_username(&channel, "EchoNews"))
        .await
        .unwrap());
    let again = h.call(ALICE_KEY, &set_username(&channel, "EchoNews")).await;
    assert_eq!(again.unwrap_err(), err(400, "USERNAME_NOT_MODIFIED"));
    let theirs = h
        .call(
            BOB_KEY,
            &functions::account::CheckUsername {
                username: "echonews".into(),
            },
        )
        .await;
    assert_eq!(theirs.unwrap_err(), err(400, "USERNAME_OCCUPIED"));
    // Bob is no admin of it.
    let not_admin = h.call(BOB_KEY, &set_username(&channel, "other")).await;
    assert_eq!(not_admin.unwrap_err(), err(400, "CHANNEL_PRIVATE"));

    let enums::contacts::ResolvedPeer::Peer(resolved) = h
        .call(
            BOB_KEY,
            &functions::contacts::ResolveUsername {
                username: "ECHONEWS".into(),
                referer: None,
            },
        )
        .await
        .unwrap();
    assert!(matches!(resolved.peer, enums::Peer::Channel(ref p) if p.channel_id == channel.id));
    let enums::Chat::Channel(seen) = &resolved.chats[0] else {
        panic!("outsiders see a public channel")
    };
    assert!(seen.left && !seen.creator && seen.username.as_deref() == Some("EchoNews"));
    h.call(
        BOB_KEY,
        &functions::channels::GetFullChannel {
            channel: channel.input(),
        },
    )
    .await
    .unwrap();

    let (id, _) = {
        let answer = h
            .call(
                ALICE_KEY,
                &functions::messages::SendMessage {
                    peer: channel.peer(),
                    ..send_to_self("hello", 5)
                },
            )
            .await
            .unwrap();
        let enums::Updates::Updates(u) = answer else {
            panic!("updates")
        };
        u.updates
            .iter()
            .find_map(|x| match x {
                enums::Update::NewChannelMessage(m) => match &m.message {
                    enums::Message::Message(msg) => Some((msg.id, m.pts)),
                    _ => None,
                },
                _ => None,
            })
            .unwrap()
    };
    let link_req = functions::channels::ExportMessageLink {
        grouped: false,
        thread: false,
        channel: channel.input(),
        id,
    };
    let link = |key| h.call(key, &link_req);
    // An outsider previews the history of a public channel.
    let preview = h
        .call(BOB_KEY, &history(channel.peer(), 0, 0, 10))
        .await
        .unwrap();
    let enums::messages::Messages::ChannelMessages(preview) = preview else {
        panic!("channelMessages expected")
    };
    assert!(preview
        .messages
        .iter()
        .any(|m| matches!(m, enums::Message::Message(msg) if msg.id == id)));
    let enums::ExportedMessageLink::Link(public) = link(BOB_KEY).await.unwrap();
    assert_eq!(public.link, format!("https://t.me/EchoNews/{id}"));
    h.call(
        BOB_KEY,
        &functions::channels::JoinChannel {
            channel: channel.input(),
        },
    )
    .await
    .unwrap();
    // Private again: the link names the channel id.
    assert!(h
        .call(ALICE_KEY, &set_username(&channel, ""))
        .await
        .unwrap());
    let enums::ExportedMessageLink::Link(private) = link(BOB_KEY).await.unwrap();
    assert_eq!(private.link, format!("https://t.me/c/{}/{id}", channel.id));
    let carol_key = CAROL_KEY;
    h.register(carol_key, "15550303", "Carol").await;
    let hidden = h.call(carol_key, &history(channel.peer(), 0, 0, 10)).await;
    assert_eq!(hidden.unwrap_err(), err(400, "CHANNEL_PRIVATE"));
    let missing = h
        .call(
            BOB_KEY,
            &functions::channels::ExportMessageLink {
                grouped: false,
                thread: false,
                channel: channel.input(),
                id: id + 100,
            },
        )
        .await;
    assert_eq!(missing.unwrap_err(), err(400, "MSG_ID_INVALID"));
}

#[tokio::test]
async fn invite_links_limits_expiry_and_revocation() {
    let (mut h, _pushes, _alice, _bob) = two_users().await;
    h.register(CAROL_KEY, "15550303", "Carol").await;
    let group = create(&h, ALICE_KEY, true).await;
    let bob_cannot = h.call(BOB_KEY, &export(&group, None)).await;
    assert_eq!(bob_cannot.unwrap_err(), err(400, "CHANNEL_PRIVATE"));
    let bad = h.call(ALICE_KEY, &export(&group, Some(100_000))).await;
    assert_eq!(bad.unwrap_err(), err(400, "USAGE_LIMIT_INVALID"));

    let once = link_hash(&h, &export(&group, Some(1))).await;
    let enums::ChatInvite::Invite(preview) = h.call(BOB_KEY, &check(&once)).await.unwrap() else {
        panic!("chatInvite expected")
    };
    assert!(preview.channel && preview.megagroup && preview.participants_count == 1);
    let enums::messages::ChatInviteJoinResult::Ok(joined) =
        h.call(BOB_KEY, &import(&once)).await.unwrap()
    else {
        panic!("joined")
    };
    let enums::Updates::Updates(u) = joined.updates else {
        panic!("updates")
    };
    assert!(u.updates.iter().any(|x| matches!(x,
        enums::Update::NewChannelMessage(m) if matches!(&m.message,
            enums::Message::Service(s) if matches!(s.action, enums::MessageAction::ChatJoinedByLink(_))))));
    assert!(matches!(
        h.call(BOB_KEY, &check(&once)).await.unwrap(),
        enums::ChatInvite::Already(_)
    ));
    // Used up: Carol sees it expired.
    let used_up = h.call(CAROL_KEY, &import(&once)).await;
    assert_eq!(used_up.unwrap_err(), err(400, "INVITE_HASH_EXPIRED"));

    let mut timed = export(&group, None);
    timed.expire_date = Some(i32::try_from(h.now + 60).unwrap());
    let timed = link_hash(&h, &timed).await;
    h.now += 61;
    let expired = h.call(CAROL_KEY, &import(&timed)).await;
    assert_eq!(expired.unwrap_err(), err(400, "INVITE_HASH_EXPIRED"));

    let open = link_hash(&h, &export(&group, None)).await;
    let edited = h
        .call(
            ALICE_KEY,
            &functions::messages::EditExportedChatInvite {
                revoked: false,
                peer: group.peer(),
                link: format!("https://t.me/+{open}"),
                expire_date: None,
                usage_limit: Some(7),
                request_needed: None,
                title: Some("seven".into()),
            },
        )
        .await
        .unwrap();
    assert!(
        matches!(edited, enums::messages::ExportedChatInvite::Invite(ref i)
        if matches!(&i.invite, enums::ExportedChatInvite::ChatInviteExported(e)
            if e.usage_limit == Some(7) && e.title.as_deref() == Some("seven") && !e.revoked))
    );
    let revoked = h
        .call(
            ALICE_KEY,
            &functions::messages::EditExportedChatInvite {
                revoked: true,
                peer: group.peer(),
                link: format!("https://t.me/+{open}"),
                expire_date: None,
                usage_limit: None,
                request_needed: None,
                title: None,
            },
        )
        .await
        .unwrap();
    assert!(
        matches!(revoked, enums::messages::ExportedChatInvite::Invite(ref i)
        if matches!(&i.invite, enums::ExportedChatInvite::ChatInviteExported(e) if e.revoked))
    );
    let gone = h.call(CAROL_KEY, &check(&open)).await;
    assert_eq!(gone.unwrap_err(), err(400, "INVITE_HASH_EXPIRED"));
    let unknown = h.call(CAROL_KEY, &check("00ff00ff")).await;
    assert_eq!(unknown.unwrap_err(), err(400, "INVITE_HASH_INVALID"));

    let enums::messages::ExportedChatInvites::Invites(live) = h
        .call(
            ALICE_KEY,
            &functions::messages::GetExportedChatInvites {
                revoked: false,
                peer: group.peer(),
                admin_id: enums::InputUser::UserSelf,
                offset_date: None,
                offset_link: None,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        live.count, 2,
        "the used-up and the expired link are not revoked"
    );
}

fn pending_pushes(updates: &[enums::Updates]) -> Vec<(i32, Vec<i64>)> {
    let mut out = Vec::new();
    for u in updates {
        if let enums::Updates::Updates(u) = u {
            for update in &u.updates {
                if let enums::Update::PendingJoinRequests(p) = update {
                    out.push((p.requests_pending, p.recent_requesters.clone()));
                }
            }
        }
    }
    out
}

fn importers(
    group: &Channel,
    requested: bool,
    link: Option<String>,
    q: Option<&str>,
) -> functions::messages::GetChatInviteImporters {
    functions::messages::GetChatInviteImporters {
        requested,
        subscription_expired: false,
        peer: group.peer(),
        link,
        q: q.map(str::to_owned),
        offset_date: 0,
        offset_user: enums::InputUser::Empty,
        limit: 50,
    }
}

fn importer_rows(answer: enums::messages::ChatInviteImporters) -> (i32, Vec<(i64, bool, i64)>) {
    let enums::messages::ChatInviteImporters::Importers(a) = answer;
    let rows = a
        .importers
        .into_iter()
        .map(|enums::ChatInviteImporter::Importer(i)| {
            assert!(
                a.users
                    .iter()
                    .any(|u| matches!(u, enums::User::User(u) if u.id == i.user_id)),
                "the importer's user object comes along"
            );
            (i.user_id, i.requested, i.approved_by.unwrap_or(0))
        })
        .collect();
    (a.count, rows)
}

#[tokio::test]
async fn join_requests_wait_for_an_admin() {
    let (h, pushes, alice, bob) = two_users().await;
    let carol = h.register(CAROL_KEY, "15550303", "Carol").await;
    let group = create(&h, ALICE_KEY, true).await;
    let mut req = export(&group, None);
    req.request_needed = true;
    let hash = link_hash(&h, &req).await;
    let enums::ChatInvite::Invite(preview) = h.call(BOB_KEY, &check(&hash)).await.unwrap() else {
        panic!("chatInvite expected")
    };
    assert!(preview.request_needed);
    for key in [BOB_KEY, CAROL_KEY] {
        let sent = h.call(key, &import(&hash)).await;
        assert_eq!(sent.unwrap_err(), err(400, "INVITE_REQUEST_SENT"));
    }
    // The admin hears of each request live, newest requester first.
    assert_eq!(
        pending_pushes(&pushes.take_for(alice.id)),
        vec![(1, vec![bob.id]), (2, vec![carol.id, bob.id])]
    );
    let full = functions::channels::GetFullChannel {
        channel: group.input(),
    };
    let enums::messages::ChatFull::Full(f) = h.call(ALICE_KEY, &full).await.unwrap();
    let enums::ChatFull::ChannelFull(cf) = f.full_chat else {
        panic!("channelFull expected")
    };
    assert_eq!(cf.requests_pending, Some(2));
    assert_eq!(cf.recent_requesters, Some(vec![carol.id, bob.id]));
    let link = format!("https://t.me/+{hash}");
    let (count, rows) = importer_rows(
        h.call(
            ALICE_KEY,
            &importers(&group, true, Some(link.clone()), None),
        )
        .await
        .unwrap(),
    );
    assert_eq!(count, 2);
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|(_, requested, _)| *requested));
    let (count, rows) = importer_rows(
        h.call(ALICE_KEY, &importers(&group, true, None, Some("caro")))
            .await
            .unwrap(),
    );
    assert_eq!((count, rows), (1, vec![(carol.id, true, 0)]));
    let mixed = h
        .call(
            ALICE_KEY,
            &importers(&group, true, Some(link.clone()), Some("x")),
        )
        .await;
    assert_eq!(
        mixed.unwrap_err(),
        err(400, "SEARCH_WITH_LINK_NOT_SUPPORTED")
    );
    let outsider = h.call(BOB_KEY, &importers(&group, true, None, None)).await;
    assert!(outsider.is_err(), "only admins list requests");
    let hide = |user: &types::User, approved| functions::messages::HideChatJoinRequest {
        approved,
        peer: group.peer(),
        user_id: input_user(user),
    };
    h.call(ALICE_KEY, &hide(&bob, true)).await.unwrap();
    h.call(ALICE_KEY, &hide(&carol, false)).await.unwrap();
    let missing = h.call(ALICE_KEY, &hide(&carol, true)).await;
    assert_eq!(missing.unwrap_err(), err(400, "HIDE_REQUESTER_MISSING"));
    assert_eq!(
        pending_pushes(&pushes.take_for(alice.id)),
        vec![(1, vec![carol.id]), (0, vec![])]
    );
    // Bob joined through the link with Alice's approval.
    let (count, rows) = importer_rows(
        h.call(ALICE_KEY, &importers(&group, false, Some(link), None))
            .await
            .unwrap(),
    );
    assert_eq!((count, rows), (1, vec![(bob.id, false, alice.id)]));
    let member = |key| h.call(key, &full);
    member(BOB_KEY).await.unwrap();
    assert_eq!(
        member(CAROL_KEY).await.unwrap_err(),
        err(400, "CHANNEL_PRIVATE")
    );
}

#[tokio::test]
async fn all_join_requests_at_once() {
    let (h, _pushes, _alice, _bob) = two_users().await;
    h.register(CAROL_KEY, "15550303", "Carol").await;
    let group = create(&h, ALICE_KEY, true).await;
    let mut req = export(&group, None);
    req.request_needed = true;
    let hash = link_hash(&h, &req).await;
    for key in [BOB_KEY, CAROL_KEY] {
        let sent = h.call(key, &import(&hash)).await;
        assert_eq!(sent.unwrap_err(), err(400, "INVITE_REQUEST_SENT"));
    }
    let all = |approved| functions::messages::HideAllChatJoinRequests {
        approved,
        peer: group.peer(),
        link: None,
    };
    let answer = h.call(ALICE_KEY, &all(true)).await.unwrap();
    let enums::Updates::Updates(u) = answer else {
        panic!("updates expected")
    };
    let joined = u
        .updates
        .iter()
        .filter(|u| matches!(u, enums::Update::NewChannelMessage(_)))
        .count();
    assert_eq!(joined, 2, "one joined-by-request message each");
    let full = functions::channels::GetFullChannel {
        channel: group.input(),
    };
    h.call(BOB_KEY, &full).await.unwrap();
    h.call(CAROL_KEY, &full).await.unwrap();
    let (count, _) = importer_rows(
        h.call(ALICE_KEY, &importers(&group, true, None, None))
            .await
            .unwrap(),
    );
    assert_eq!(count, 0, "nothing pending");
}
