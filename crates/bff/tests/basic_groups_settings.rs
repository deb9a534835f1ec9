//! Basic-group settings through the API: editChatAbout, editChatAdmin, invite links
//! (export/check/importChatInvite), deleteChat and editChatDefaultBannedRights.

mod common;

use common::chat::{ALICE_KEY, BOB_KEY};
use common::err;
use common::groups::{chat_peer, input_user, new_messages, rights, three, to_chat, CAROL_KEY};
use echo_tl::{enums, functions};

#[tokio::test]
async fn about_and_admins() {
    let (h, pushes, _alice, bob, carol, chat_id) = three().await;
    let about = functions::messages::EditChatAbout {
        peer: chat_peer(chat_id),
        about: "our group".into(),
    };
    // Bob is no admin yet.
    assert_eq!(
        h.call(BOB_KEY, &about).await.unwrap_err(),
        err(403, "CHAT_ADMIN_REQUIRED")
    );
    let admin = functions::messages::EditChatAdmin {
        chat_id,
        user_id: input_user(&bob),
        is_admin: true,
    };
    assert!(h.call(ALICE_KEY, &admin).await.unwrap());
    assert!(pushes.take_for(carol.id).iter().any(|u| matches!(u,
        enums::Updates::Updates(u) if matches!(&u.updates[0],
            enums::Update::ChatParticipantAdmin(a) if a.user_id == bob.id && a.is_admin))));
    assert_eq!(
        h.call(BOB_KEY, &admin).await.unwrap_err(),
        err(403, "CHAT_ADMIN_REQUIRED"),
        "only the creator appoints"
    );
    assert!(h.call(BOB_KEY, &about).await.unwrap());
    assert_eq!(
        h.call(BOB_KEY, &about).await.unwrap_err(),
        err(400, "CHAT_ABOUT_NOT_MODIFIED")
    );
    let full = h
        .call(CAROL_KEY, &functions::messages::GetFullChat { chat_id })
        .await
        .unwrap();
    let enums::messages::ChatFull::Full(full) = full;
    let enums::ChatFull::Full(f) = &full.full_chat else {
        panic!()
    };
    assert_eq!(f.about, "our group");
    let enums::ChatParticipants::Participants(p) = &f.participants else {
        panic!()
    };
    assert!(p
        .participants
        .iter()
        .any(|x| matches!(x, enums::ChatParticipant::Admin(a) if a.user_id == bob.id)));
    // An admin may kick a plain member.
    h.call(
        BOB_KEY,
        &functions::messages::DeleteChatUser {
            revoke_history: false,
            chat_id,
            user_id: input_user(&carol),
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn invite_links() {
    let (h, pushes, alice, _bob, carol, chat_id) = three().await;
    let dave = h.register(404, "15550404", "Dave").await;
    let export = functions::messages::ExportChatInvite {
        legacy_revoke_permanent: false,
        request_needed: false,
        peer: chat_peer(chat_id),
        expire_date: None,
        usage_limit: None,
        title: None,
        subscription_pricing: None,
    };
    assert_eq!(
        h.call(CAROL_KEY, &export).await.unwrap_err(),
        err(403, "CHAT_ADMIN_REQUIRED")
    );
    let enums::ExportedChatInvite::ChatInviteExported(link) =
        h.call(ALICE_KEY, &export).await.unwrap()
    else {
        panic!("chatInviteExported expected")
    };
    let hash = link.link.trim_start_matches("https://t.me/+").to_owned();
    assert_eq!(link.admin_id, alice.id);

    let check = |hash: &str| functions::messages::CheckChatInvite { hash: hash.into() };
    assert_eq!(
        h.call(404, &check("nope")).await.unwrap_err(),
        err(400, "INVITE_HASH_INVALID")
    );
    let seen = h.call(404, &check(&hash)).await.unwrap();
    assert!(matches!(&seen, enums::ChatInvite::Invite(i) if i.participants_count == 3));
    assert!(matches!(
        h.call(CAROL_KEY, &check(&hash)).await.unwrap(),
        enums::ChatInvite::Already(_)
    ));

    let joined = h
        .call(
            404,
            &functions::messages::ImportChatInvite { hash: hash.clone() },
        )
        .await
        .unwrap();
    let enums::messages::ChatInviteJoinResult::Ok(joined) = joined else {
        panic!()
    };
    assert!(matches!(&joined.updates, enums::Updates::Updates(u)
        if matches!(&u.chats[..], [enums::Chat::Chat(c)] if c.participants_count == 4)));
    assert_eq!(
        new_messages(&pushes.take_for(carol.id)),
        1,
        "join announced"
    );
    assert_eq!(
        h.call(
            404,
            &functions::messages::ImportChatInvite { hash: hash.clone() }
        )
        .await
        .unwrap_err(),
        err(400, "USER_ALREADY_PARTICIPANT")
    );
    h.call(404, &to_chat(chat_id, "hello from Dave", 1))
        .await
        .unwrap();
    assert_eq!(new_messages(&pushes.take_for(carol.id)), 1);

    // A new permanent link revokes the old one.
    let revoke = functions::messages::ExportChatInvite {
        legacy_revoke_permanent: true,
        ..export
    };
    h.call(ALICE_KEY, &revoke).await.unwrap();
    assert_eq!(
        h.call(404, &check(&hash)).await.unwrap_err(),
        err(400, "INVITE_HASH_EXPIRED")
    );
    let _ = dave;
}

#[tokio::test]
async fn delete_chat_removes_everyone() {
    let (h, pushes, _alice, _bob, carol, chat_id) = three().await;
    let delete = functions::messages::DeleteChat { chat_id };
    assert_eq!(
        h.call(BOB_KEY, &delete).await.unwrap_err(),
        err(403, "CHAT_ADMIN_REQUIRED")
    );
    assert!(h.call(ALICE_KEY, &delete).await.unwrap());
    assert!(pushes.take_for(carol.id).iter().any(|u| matches!(u,
        enums::Updates::Updates(u) if matches!(&u.chats[..], [enums::Chat::Forbidden(_)]))));
    for key in [ALICE_KEY, BOB_KEY, CAROL_KEY] {
        let e = h
            .call(key, &to_chat(chat_id, "anyone?", 77))
            .await
            .unwrap_err();
        assert_eq!(e, err(403, "CHAT_WRITE_FORBIDDEN"));
    }
    assert_eq!(
        h.call(ALICE_KEY, &delete).await.unwrap_err(),
        err(400, "CHAT_ID_INVALID")
    );
}

#[tokio::test]
async fn default_banned_rights_silence_members() {
    let (h, pushes, _alice, _bob, carol, chat_id) = three().await;
    let ban = |send_messages| functions::messages::EditChatDefaultBannedRights {
        peer: chat_peer(chat_id),
        banned_rights: rights(send_messages),
    };
    assert_eq!(
        h.call(BOB_KEY, &ban(true)).await.unwrap_err(),
        err(403, "CHAT_ADMIN_REQUIRED")
    );
    let answer = h.call(ALICE_KEY, &ban(true)).await.unwrap();
    assert!(matches!(&answer, enums::Updates::Updates(u)
        if matches!(&u.chats[..], [enums::Chat::Chat(c)] if c.default_banned_rights.is_some())));
    assert!(pushes.take_for(carol.id).iter().any(|u| matches!(u,
        enums::Updates::Updates(u) if matches!(&u.updates[0],
            enums::Update::ChatDefaultBannedRights(_)))));
    let e = h
        .call(CAROL_KEY, &to_chat(chat_id, "quiet?", 1))
        .await
        .unwrap_err();
    assert_eq!(e, err(403, "CHAT_WRITE_FORBIDDEN"));
    // The creator still may.
    h.call(ALICE_KEY, &to_chat(chat_id, "announcement", 2))
        .await
        .unwrap();
    assert_eq!(
        h.call(ALICE_KEY, &ban(true)).await.unwrap_err(),
        err(400, "CHAT_NOT_MODIFIED")
    );
    h.call(ALICE_KEY, &ban(false)).await.unwrap();
    h.call(CAROL_KEY, &to_chat(chat_id, "thanks", 3))
        .await
        .unwrap();
}
