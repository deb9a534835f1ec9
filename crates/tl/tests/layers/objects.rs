//! Objects built with the generated newest-layer types, re-encoded for older layers
//! (core.telegram.org/api/invoking#layers) and read back per the old schema by hand.

use echo_tl::{enums, types};

use crate::common::{bytes_of, layers, Reader, VECTOR};

/// A user touching fields from every era: some known to 220, some added in 229 (which 220
/// must not see), nested boxed objects and a vector.
pub fn sample_user(usernames: bool) -> types::User {
    types::User {
        is_self: false,
        contact: true,
        mutual_contact: false,
        deleted: false,
        bot: false,
        bot_chat_history: false,
        bot_nochats: false,
        verified: false,
        restricted: false,
        min: false,
        bot_inline_geo: false,
        support: false,
        scam: false,
        apply_min_photo: false,
        fake: false,
        bot_attach_menu: false,
        premium: true,
        attach_menu_enabled: false,
        bot_can_edit: false,
        close_friend: true,
        stories_hidden: false,
        stories_unavailable: false,
        contact_require_premium: false,
        bot_business: false,
        bot_has_main_app: false,
        bot_forum_view: false,
        bot_forum_can_manage_topics: true,
        bot_can_manage_bots: false,
        bot_guestchat: false,
        bot_guard: true,
        id: 777,
        access_hash: Some(-99),
        first_name: Some("Ann".into()),
        last_name: None,
        username: Some("ann".into()),
        phone: Some("15550001".into()),
        photo: Some(enums::UserProfilePhoto::Photo(types::UserProfilePhoto {
            has_video: false,
            personal: false,
            photo_id: 5,
            stripped_thumb: Some(vec![1, 2, 3]),
            dc_id: 2,
        })),
        status: Some(enums::UserStatus::Online(types::UserStatusOnline {
            expires: 1000,
        })),
        bot_info_version: None,
        restriction_reason: None,
        bot_inline_placeholder: None,
        lang_code: None,
        emoji_status: None,
        usernames: usernames.then(|| {
            vec![enums::Username::Username(types::Username {
                editable: true,
                active: true,
                deletable: true,
                expired: false,
                username: "ann".into(),
            })]
        }),
        stories_max_id: None,
        color: Some(enums::PeerColor::Color(types::PeerColor {
            color: Some(3),
            background_emoji_id: None,
        })),
        profile_color: None,
        bot_active_users: None,
        bot_verification_icon: None,
        send_paid_messages_stars: None,
        linked_community_id: Some(42),
    }
}

/// Reads a layer-220 `user` as written for [`sample_user`]`(true)`.
fn check_user_220(r: &mut Reader) {
    r.expect(0x31774388);
    // contact, premium; access_hash, first_name, username, phone, photo, status
    assert_eq!(
        r.u32(),
        1 << 11 | 1 << 28 | 1 | 1 << 1 | 1 << 3 | 1 << 4 | 1 << 5 | 1 << 6
    );
    // close_friend; usernames, color — and none of 229's bits 17..21
    assert_eq!(r.u32(), 1 << 2 | 1 | 1 << 8);
    assert_eq!(r.i64(), 777);
    assert_eq!(r.i64(), -99);
    assert_eq!(r.string(), "Ann");
    assert_eq!(r.string(), "ann");
    assert_eq!(r.string(), "15550001");
    r.expect(0x82d1f706);
    assert_eq!(r.u32(), 1 << 1);
    assert_eq!(r.i64(), 5);
    assert_eq!(r.bytes(), vec![1, 2, 3]);
    assert_eq!(r.i32(), 2);
    r.expect(0xedb93949);
    assert_eq!(r.i32(), 1000);
    r.expect(VECTOR);
    assert_eq!(r.u32(), 1);
    r.expect(0xb4073647);
    assert_eq!(r.u32(), 0b11, "220's username has no `deletable` bit");
    assert_eq!(r.string(), "ann");
    r.expect(0xb54b5acf);
    assert_eq!(r.u32(), 1);
    assert_eq!(r.i32(), 3);
}

#[test]
fn user_in_220_and_229() {
    let set = layers();
    let newest = bytes_of(&enums::User::User(sample_user(true)));
    assert_eq!(
        u32::from_le_bytes(newest[..4].try_into().unwrap()),
        0xb1b8cc83
    );

    let old = set.object_to_layer(220, "User", &newest).unwrap();
    let mut r = Reader::new(&old);
    check_user_220(&mut r);
    r.done();

    // 229's user has 230's id and fields; only username lost the `deletable` flag.
    let mid = set.object_to_layer(229, "User", &newest).unwrap();
    let mut expected = sample_user(true);
    if let Some(enums::Username::Username(u)) =
        expected.usernames.as_mut().and_then(|v| v.first_mut())
    {
        u.deletable = false;
    }
    assert_eq!(&mid[..], &bytes_of(&enums::User::User(expected))[..]);

    assert!(matches!(
        set.object_to_layer(230, "User", &newest).unwrap(),
        std::borrow::Cow::Borrowed(_)
    ));
    assert!(matches!(
        set.object_to_layer(231, "User", &newest).unwrap(),
        std::borrow::Cow::Borrowed(_)
    ));
}

pub fn sample_message() -> types::Message {
    types::Message {
        out: true,
        mentioned: false,
        media_unread: false,
        silent: false,
        post: false,
        from_scheduled: false,
        legacy: false,
        edit_hide: false,
        pinned: false,
        noforwards: false,
        invert_media: false,
        offline: false,
        video_processing_pending: false,
        paid_suggested_post_stars: false,
        paid_suggested_post_ton: false,
        id: 10,
        from_id: Some(enums::Peer::User(types::PeerUser { user_id: 1 })),
        from_boosts_applied: None,
        from_rank: Some("boss".into()),
        peer_id: enums::Peer::User(types::PeerUser { user_id: 2 }),
        saved_peer_id: None,
        fwd_from: None,
        via_bot_id: None,
        via_business_bot_id: None,
        guestchat_via_from: None,
        reply_to: None,
        date: 1700,
        message: "hi".into(),
        media: None,
        reply_markup: None,
        entities: None,
        views: None,
        forwards: None,
        replies: None,
        edit_date: None,
        post_author: None,
        grouped_id: None,
        reactions: None,
        restriction_reason: None,
        ttl_period: None,
        quick_reply_shortcut_id: None,
        effect: Some(5),
        factcheck: None,
        report_delivery_until_date: None,
        paid_message_stars: None,
        suggested_post: None,
        schedule_repeat_period: None,
        summary_from_language: None,
        rich_message: None,
    }
}

/// `updates` with a new message, an update 229 and 220 do not know, and a status change.
pub fn sample_updates(with_wallet_update: bool) -> enums::Updates {
    let mut updates = vec![enums::Update::NewMessage(types::UpdateNewMessage {
        message: enums::Message::Message(sample_message()),
        pts: 7,
        pts_count: 1,
    })];
    if with_wallet_update {
        updates.push(enums::Update::WalletGaslessInfo(
            types::UpdateWalletGaslessInfo {
                available: true,
                left: 1,
                reset_at: 2,
                min_amount: 3,
                relayer_address: "relay".into(),
            },
        ));
    }
    updates.push(enums::Update::UserStatus(types::UpdateUserStatus {
        user_id: 777,
        status: enums::UserStatus::Online(types::UserStatusOnline { expires: 9 }),
    }));
    enums::Updates::Updates(types::Updates {
        updates,
        users: vec![enums::User::User(sample_user(false))],
        chats: vec![],
        date: 1701,
        seq: 0,
    })
}

#[test]
fn updates_drop_unknown_updates_and_convert_the_rest() {
    let set = layers();
    let newest = bytes_of(&sample_updates(true));

    // 229 knows everything but the wallet update, with the same ids: the result is exactly
    // the newest encoding without it.
    let mid = set.object_to_layer(229, "Updates", &newest).unwrap();
    assert_eq!(&mid[..], &bytes_of(&sample_updates(false))[..]);

    let old = set.object_to_layer(220, "Updates", &newest).unwrap();
    let mut r = Reader::new(&old);
    r.expect(0x74ae4240);
    r.expect(VECTOR);
    assert_eq!(
        r.u32(),
        2,
        "the wallet update is dropped and the count fixed"
    );
    r.expect(0x1f2b0afd);
    r.expect(0xb92f76cf);
    assert_eq!(r.u32(), 1 << 1 | 1 << 8, "out, from_id");
    assert_eq!(r.u32(), 1 << 2, "effect; no from_rank (229) bit");
    assert_eq!(r.i32(), 10);
    r.expect(0x59511722);
    assert_eq!(r.i64(), 1);
    r.expect(0x59511722);
    assert_eq!(r.i64(), 2);
    assert_eq!(r.i32(), 1700);
    assert_eq!(r.string(), "hi");
    assert_eq!(r.i64(), 5);
    assert_eq!((r.i32(), r.i32()), (7, 1));
    r.expect(0xe5bdf8de);
    assert_eq!(r.i64(), 777);
    r.expect(0xedb93949);
    assert_eq!(r.i32(), 9);
    r.expect(VECTOR);
    assert_eq!(r.u32(), 1);
    let user = bytes_of(&enums::User::User(sample_user(false)));
    let user_220 = set.object_to_layer(220, "User", &user).unwrap();
    assert_eq!(r.raw(user_220.len()), &user_220[..]);
    r.expect(VECTOR);
    assert_eq!(r.u32(), 0);
    assert_eq!((r.i32(), r.i32()), (1701, 0));
    r.done();
}

#[test]
fn unknown_constructor_outside_a_vector_is_substituted() {
    let set = layers();
    let service = |action| {
        enums::Message::Service(types::MessageService {
            out: false,
            mentioned: false,
            media_unread: false,
            reactions_are_possible: false,
            silent: false,
            post: false,
            legacy: false,
            id: 3,
            from_id: None,
            peer_id: enums::Peer::User(types::PeerUser { user_id: 2 }),
            saved_peer_id: None,
            reply_to: None,
            date: 5,
            action,
            reactions: None,
            ttl_period: None,
        })
    };
    let gram = enums::MessageAction::GramTransfer(types::MessageActionGramTransfer {
        comment_encrypted: false,
        amount: 1,
        peer_address: "addr".into(),
        transaction_id: "tx".into(),
        comment: None,
    });
    let newest = bytes_of(&service(gram));
    let mid = set.object_to_layer(229, "Message", &newest).unwrap();
    assert_eq!(
        &mid[..],
        &bytes_of(&service(enums::MessageAction::Empty))[..]
    );
}

#[test]
fn changed_field_type_gets_a_default() {
    let set = layers();
    // 220's botVerification has `description:string`; 230's is a TextWithEntities.
    let newest = bytes_of(&enums::BotVerification::Verification(
        types::BotVerification {
            bot_id: 1,
            icon: 2,
            description: enums::TextWithEntities::Entities(types::TextWithEntities {
                text: "verified".into(),
                entities: vec![],
            }),
        },
    ));
    let old = set
        .object_to_layer(220, "BotVerification", &newest)
        .unwrap();
    let mut r = Reader::new(&old);
    r.expect(0xf93cd45c);
    assert_eq!((r.i64(), r.i64()), (1, 2));
    assert_eq!(r.string(), "");
    r.done();
}
