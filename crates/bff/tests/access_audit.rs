//! Access-check audit (core.telegram.org/api/peers, /api/errors): every implemented method
//! that names a peer, user, channel, dialog, photo, document or file with an `Input*` object
//! is called with a forged access hash and with a peer the caller may not see, once for a
//! target that exists and once for one that does not. The answer must be a refusal (or,
//! where Telegram answers reads that way, an empty result) and must be byte-for-byte the same
//! in both cases, so probing reveals nothing.
//!
//! The list of methods is not written by hand: it is every function of the base-layer
//! schema with such an argument that the router implements. A new method of that kind fails
//! this test until it gets a probe below.

mod common;

use std::collections::BTreeMap;

use common::groups::{input_user, three};
use common::Harness;
use echo_bff::RpcService;
use echo_tl::{enums, functions, types, Deserializable, Serializable};

const DAVE_KEY: i64 = 404;
/// Argument types that name something the caller must be allowed to see.
const NAMED: [&str; 9] = [
    "InputPeer",
    "InputUser",
    "InputChannel",
    "InputDialogPeer",
    "InputNotifyPeer",
    "InputPhoto",
    "InputDocument",
    "InputFile",
    "InputMedia",
];

/// (name, constructor id) of every base-layer function taking one of `NAMED`.
fn schema_methods() -> Vec<(String, u32)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tl-schema");
    let base = std::fs::read_to_string(format!("{root}/base-layer")).expect("base-layer");
    let schema = std::fs::read_to_string(format!("{root}/layers/{}.tl", base.trim()))
        .expect("base layer schema");
    let functions = schema.split("---functions---").nth(1).expect("functions");
    let mut out = Vec::new();
    for line in functions.lines() {
        let Some((head, rest)) = line.split_once(' ') else {
            continue;
        };
        let Some((name, id)) = head.split_once('#') else {
            continue;
        };
        let Ok(id) = u32::from_str_radix(id, 16) else {
            continue;
        };
        let params = rest.split(" = ").next().unwrap_or_default();
        let named = params.split_whitespace().any(|p| {
            let ty = p.split(':').nth(1).unwrap_or_default();
            let ty = ty.rsplit('?').next().unwrap_or(ty);
            let ty = ty.trim_start_matches("Vector<").trim_end_matches('>');
            NAMED.contains(&ty)
        });
        if named {
            out.push((name.to_string(), id));
        }
    }
    out
}

#[derive(Clone, Copy, Debug)]
enum Target {
    /// A user id with an access hash the caller was never given.
    User { id: i64, access_hash: i64 },
    /// A basic group the caller is not a member of.
    Chat { id: i64 },
    /// A channel id with an access hash the caller was never given.
    Channel { id: i64, access_hash: i64 },
}

impl Target {
    fn peer(self) -> enums::InputPeer {
        match self {
            Target::User { id, access_hash } => enums::InputPeer::User(types::InputPeerUser {
                user_id: id,
                access_hash,
            }),
            Target::Chat { id } => enums::InputPeer::Chat(types::InputPeerChat { chat_id: id }),
            Target::Channel { id, access_hash } => {
                enums::InputPeer::Channel(types::InputPeerChannel {
                    channel_id: id,
                    access_hash,
                })
            }
        }
    }

    fn channel(self) -> Option<enums::InputChannel> {
        match self {
            Target::Channel { id, access_hash } => {
                Some(enums::InputChannel::Channel(types::InputChannel {
                    channel_id: id,
                    access_hash,
                }))
            }
            _ => None,
        }
    }

    fn user(self) -> Option<enums::InputUser> {
        match self {
            Target::User { id, access_hash } => Some(enums::InputUser::User(types::InputUser {
                user_id: id,
                access_hash,
            })),
            Target::Chat { .. } | Target::Channel { .. } => None,
        }
    }

    fn dialog(self) -> enums::InputDialogPeer {
        enums::InputDialogPeer::Peer(types::InputDialogPeer { peer: self.peer() })
    }
}

fn no_rights() -> enums::ChatBannedRights {
    // flags = 0, until_date = 0: every right allowed.
    let bare = types::ChatBannedRights::from_bytes(&[0; 8]).expect("decodes");
    enums::ChatBannedRights::Rights(bare)
}

/// The request of method `name` naming `t`; None when the method cannot name that kind of
/// target (an InputUser slot and a chat). `own_chat` is a chat the caller administers.
fn probe(name: &str, t: Target, own_chat: i64) -> Option<Vec<u8>> {
    use functions::{account, contacts, messages, users};
    let bytes = match name {
        "account.getNotifySettings" => account::GetNotifySettings {
            peer: enums::InputNotifyPeer::Peer(types::InputNotifyPeer { peer: t.peer() }),
        }
        .to_bytes(),
        "users.getUsers" => users::GetUsers {
            id: vec![t.user()?],
        }
        .to_bytes(),
        "users.getFullUser" => users::GetFullUser { id: t.user()? }.to_bytes(),
        "contacts.deleteContacts" => contacts::DeleteContacts {
            id: vec![t.user()?],
        }
        .to_bytes(),
        "contacts.block" => contacts::Block {
            my_stories_from: false,
            id: t.peer(),
        }
        .to_bytes(),
        "contacts.unblock" => contacts::Unblock {
            my_stories_from: false,
            id: t.peer(),
        }
        .to_bytes(),
        "contacts.addContact" => contacts::AddContact {
            add_phone_privacy_exception: false,
            id: t.user()?,
            first_name: "X".into(),
            last_name: String::new(),
            phone: String::new(),
            note: None,
        }
        .to_bytes(),
        "messages.getDialogs" => messages::GetDialogs {
            exclude_pinned: false,
            folder_id: None,
            offset_date: 0,
            offset_id: 0,
            offset_peer: t.peer(),
            limit: 10,
            hash: 0,
        }
        .to_bytes(),
        "messages.getHistory" => common::history(t.peer(), 0, 0, 10).to_bytes(),
        "messages.search" => messages::Search {
            peer: t.peer(),
            q: "x".into(),
            from_id: None,
            saved_peer_id: None,
            saved_reaction: None,
            top_msg_id: None,
            filter: enums::MessagesFilter::InputMessagesFilterEmpty,
            min_date: 0,
            max_date: 0,
            offset_id: 0,
            add_offset: 0,
            limit: 10,
            max_id: 0,
            min_id: 0,
            hash: 0,
        }
        .to_bytes(),
        "messages.readHistory" => messages::ReadHistory {
            peer: t.peer(),
            max_id: 0,
        }
        .to_bytes(),
        "messages.deleteHistory" => messages::DeleteHistory {
            just_clear: false,
            revoke: false,
            peer: t.peer(),
            max_id: 0,
            min_date: None,
            max_date: None,
        }
        .to_bytes(),
        "messages.setTyping" => messages::SetTyping {
            peer: t.peer(),
            top_msg_id: None,
            action: enums::SendMessageAction::SendMessageTypingAction,
        }
        .to_bytes(),
        "messages.sendMessage" => {
            let mut req = common::send_to_self("probe", 7);
            req.peer = t.peer();
            req.to_bytes()
        }
        "messages.forwardMessages" => messages::ForwardMessages {
            silent: false,
            background: false,
            with_my_score: false,
            drop_author: false,
            drop_media_captions: false,
            noforwards: false,
            allow_paid_floodskip: false,
            from_ephemeral: false,
            from_peer: t.peer(),
            id: vec![1],
            random_id: vec![8],
            to_peer: enums::InputPeer::PeerSelf,
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
        .to_bytes(),
        "messages.addChatUser" => messages::AddChatUser {
            chat_id: own_chat,
            user_id: t.user()?,
            fwd_limit: 0,
        }
        .to_bytes(),
        "messages.deleteChatUser" => messages::DeleteChatUser {
            revoke_history: false,
            chat_id: own_chat,
            user_id: t.user()?,
        }
        .to_bytes(),
        "messages.createChat" => messages::CreateChat {
            users: vec![t.user()?],
            title: "probe".into(),
            ttl_period: None,
        }
        .to_bytes(),
        "messages.exportChatInvite" => messages::ExportChatInvite {
            legacy_revoke_permanent: false,
            request_needed: false,
            peer: t.peer(),
            expire_date: None,
            usage_limit: None,
            title: None,
            subscription_pricing: None,
        }
        .to_bytes(),
        "messages.editChatAdmin" => messages::EditChatAdmin {
            chat_id: own_chat,
            user_id: t.user()?,
            is_admin: true,
        }
        .to_bytes(),
        "messages.editMessage" => messages::EditMessage {
            no_webpage: false,
            invert_media: false,
            peer: t.peer(),
            id: 1,
            message: Some("edit".into()),
            media: None,
            reply_markup: None,
            entities: None,
            schedule_date: None,
            schedule_repeat_period: None,
            quick_reply_shortcut_id: None,
            rich_message: None,
        }
        .to_bytes(),
        "messages.getPeerDialogs" => messages::GetPeerDialogs {
            peers: vec![t.dialog()],
        }
        .to_bytes(),
        "messages.saveDraft" => messages::SaveDraft {
            no_webpage: false,
            invert_media: false,
            reply_to: None,
            peer: t.peer(),
            message: "draft".into(),
            entities: None,
            media: None,
            effect: None,
            suggested_post: None,
            rich_message: None,
        }
        .to_bytes(),
        "messages.toggleDialogPin" => messages::ToggleDialogPin {
            pinned: true,
            peer: t.dialog(),
        }
        .to_bytes(),
        "messages.reorderPinnedDialogs" => messages::ReorderPinnedDialogs {
            force: false,
            folder_id: 0,
            order: vec![t.dialog()],
        }
        .to_bytes(),
        "messages.markDialogUnread" => messages::MarkDialogUnread {
            unread: true,
            parent_peer: None,
            peer: t.dialog(),
        }
        .to_bytes(),
        "messages.editChatAbout" => messages::EditChatAbout {
            peer: t.peer(),
            about: "x".into(),
        }
        .to_bytes(),
        "messages.editChatDefaultBannedRights" => messages::EditChatDefaultBannedRights {
            peer: t.peer(),
            banned_rights: no_rights(),
        }
        .to_bytes(),
        "messages.sendMedia" => messages::SendMedia {
            silent: false,
            background: false,
            clear_draft: false,
            noforwards: false,
            update_stickersets_order: false,
            invert_media: false,
            allow_paid_floodskip: false,
            peer: t.peer(),
            reply_to: None,
            media: enums::InputMedia::Empty,
            message: "probe".into(),
            random_id: 9,
            reply_markup: None,
            entities: None,
            schedule_date: None,
            schedule_repeat_period: None,
            send_as: None,
            quick_reply_shortcut: None,
            effect: None,
            allow_paid_stars: None,
            suggested_post: None,
        }
        .to_bytes(),
        "messages.sendMultiMedia" => messages::SendMultiMedia {
            silent: false,
            background: false,
            clear_draft: false,
            noforwards: false,
            update_stickersets_order: false,
            invert_media: false,
            allow_paid_floodskip: false,
            peer: t.peer(),
            reply_to: None,
            multi_media: vec![enums::InputSingleMedia::Media(types::InputSingleMedia {
                media: enums::InputMedia::Empty,
                random_id: 10,
                message: String::new(),
                entities: None,
            })],
            schedule_date: None,
            send_as: None,
            quick_reply_shortcut: None,
            effect: None,
            allow_paid_stars: None,
        }
        .to_bytes(),
        "messages.uploadMedia" => messages::UploadMedia {
            business_connection_id: None,
            peer: t.peer(),
            media: enums::InputMedia::Empty,
        }
        .to_bytes(),
        "photos.getUserPhotos" => functions::photos::GetUserPhotos {
            user_id: t.user()?,
            offset: 0,
            max_id: 0,
            limit: 10,
        }
        .to_bytes(),
        // A bot the caller does not own: BOT_INVALID whether the user exists or not.
        "photos.updateProfilePhoto" => functions::photos::UpdateProfilePhoto {
            fallback: false,
            bot: Some(t.user()?),
            id: enums::InputPhoto::Empty,
        }
        .to_bytes(),
        "photos.uploadProfilePhoto" => functions::photos::UploadProfilePhoto {
            fallback: false,
            bot: Some(t.user()?),
            file: None,
            video: None,
            video_start_ts: None,
            video_emoji_markup: None,
        }
        .to_bytes(),
        // A photo named with a hash the caller was never given, existing id or not: nothing
        // is deleted either way. Forged photo and document hashes on sends and reads are
        // probed in tests/media.rs.
        "photos.deletePhotos" => {
            let Target::User { id, access_hash } = t else {
                return None;
            };
            functions::photos::DeletePhotos {
                id: vec![enums::InputPhoto::Photo(types::InputPhoto {
                    id,
                    access_hash,
                    file_reference: Vec::new(),
                })],
            }
            .to_bytes()
        }
        "channels.getChannels" => functions::channels::GetChannels {
            id: vec![t.channel()?],
        }
        .to_bytes(),
        "channels.getFullChannel" => functions::channels::GetFullChannel {
            channel: t.channel()?,
        }
        .to_bytes(),
        "channels.editTitle" => functions::channels::EditTitle {
            channel: t.channel()?,
            title: "x".into(),
        }
        .to_bytes(),
        "channels.editPhoto" => functions::channels::EditPhoto {
            channel: t.channel()?,
            photo: enums::InputChatPhoto::Empty,
        }
        .to_bytes(),
        "channels.joinChannel" => functions::channels::JoinChannel {
            channel: t.channel()?,
        }
        .to_bytes(),
        "channels.leaveChannel" => functions::channels::LeaveChannel {
            channel: t.channel()?,
        }
        .to_bytes(),
        "channels.inviteToChannel" => functions::channels::InviteToChannel {
            channel: t.channel()?,
            users: vec![enums::InputUser::UserSelf],
        }
        .to_bytes(),
        "channels.getParticipants" => functions::channels::GetParticipants {
            channel: t.channel()?,
            filter: enums::ChannelParticipantsFilter::ChannelParticipantsRecent,
            offset: 0,
            limit: 10,
            hash: 0,
        }
        .to_bytes(),
        "channels.getParticipant" => functions::channels::GetParticipant {
            channel: t.channel()?,
            participant: enums::InputPeer::PeerSelf,
        }
        .to_bytes(),
        "channels.getMessages" => functions::channels::GetMessages {
            channel: t.channel()?,
            id: vec![enums::InputMessage::Id(types::InputMessageId { id: 1 })],
        }
        .to_bytes(),
        "channels.readHistory" => functions::channels::ReadHistory {
            channel: t.channel()?,
            max_id: 1,
        }
        .to_bytes(),
        "channels.deleteMessages" => functions::channels::DeleteMessages {
            channel: t.channel()?,
            id: vec![1],
        }
        .to_bytes(),
        "updates.getChannelDifference" => functions::updates::GetChannelDifference {
            force: false,
            channel: t.channel()?,
            filter: enums::ChannelMessagesFilter::Empty,
            pts: 1,
            limit: 10,
        }
        .to_bytes(),
        "channels.checkUsername" => functions::channels::CheckUsername {
            channel: t.channel()?,
            username: "probename".into(),
        }
        .to_bytes(),
        "channels.updateUsername" => functions::channels::UpdateUsername {
            channel: t.channel()?,
            username: "probename".into(),
        }
        .to_bytes(),
        "channels.exportMessageLink" => functions::channels::ExportMessageLink {
            grouped: false,
            thread: false,
            channel: t.channel()?,
            id: 1,
        }
        .to_bytes(),
        "messages.getExportedChatInvites" => messages::GetExportedChatInvites {
            revoked: false,
            peer: t.peer(),
            admin_id: enums::InputUser::UserSelf,
            offset_date: None,
            offset_link: None,
            limit: 10,
        }
        .to_bytes(),
        "messages.editExportedChatInvite" => messages::EditExportedChatInvite {
            revoked: true,
            peer: t.peer(),
            link: "https://t.me/+00ff".into(),
            expire_date: None,
            usage_limit: None,
            request_needed: None,
            title: None,
        }
        .to_bytes(),
        "messages.getChatInviteImporters" => messages::GetChatInviteImporters {
            requested: true,
            subscription_expired: false,
            peer: t.peer(),
            link: None,
            q: None,
            offset_date: 0,
            offset_user: enums::InputUser::Empty,
            limit: 10,
        }
        .to_bytes(),
        "messages.hideAllChatJoinRequests" => messages::HideAllChatJoinRequests {
            approved: true,
            peer: t.peer(),
            link: None,
        }
        .to_bytes(),
        "messages.hideChatJoinRequest" => messages::HideChatJoinRequest {
            approved: true,
            peer: t.peer(),
            user_id: enums::InputUser::UserSelf,
        }
        .to_bytes(),
        "messages.updatePinnedMessage" => messages::UpdatePinnedMessage {
            silent: false,
            unpin: false,
            pm_oneside: false,
            peer: t.peer(),
            id: 1,
        }
        .to_bytes(),
        "messages.unpinAllMessages" => messages::UnpinAllMessages {
            peer: t.peer(),
            top_msg_id: None,
            saved_peer_id: None,
        }
        .to_bytes(),
        "channels.editAdmin" => functions::channels::EditAdmin {
            channel: t.channel()?,
            user_id: enums::InputUser::UserSelf,
            admin_rights: enums::ChatAdminRights::Rights(
                types::ChatAdminRights::from_bytes(&[0; 4]).expect("decodes"),
            ),
            rank: None,
        }
        .to_bytes(),
        "channels.editBanned" => functions::channels::EditBanned {
            channel: t.channel()?,
            participant: enums::InputPeer::PeerSelf,
            banned_rights: no_rights(),
        }
        .to_bytes(),
        "channels.toggleSignatures" => functions::channels::ToggleSignatures {
            signatures_enabled: true,
            profiles_enabled: false,
            channel: t.channel()?,
        }
        .to_bytes(),
        "channels.togglePreHistoryHidden" => functions::channels::TogglePreHistoryHidden {
            channel: t.channel()?,
            enabled: true,
        }
        .to_bytes(),
        "channels.toggleSlowMode" => functions::channels::ToggleSlowMode {
            channel: t.channel()?,
            seconds: 30,
        }
        .to_bytes(),
        "channels.deleteChannel" => functions::channels::DeleteChannel {
            channel: t.channel()?,
        }
        .to_bytes(),
        "channels.deleteHistory" => functions::channels::DeleteHistory {
            for_everyone: false,
            channel: t.channel()?,
            max_id: 0,
        }
        .to_bytes(),
        "messages.getMessagesViews" => messages::GetMessagesViews {
            peer: t.peer(),
            id: vec![1],
            increment: true,
        }
        .to_bytes(),
        _ => panic!("no access-check probe for {name}: add one to tests/access_audit.rs"),
    };
    Some(bytes)
}

/// Reads where Telegram answers a peer it will not show with an empty result, not an error.
fn empty_answer_allowed(name: &str) -> bool {
    // getUsers drops users it cannot show; getDialogs only uses offset_peer as a position;
    // deleteContacts skips ids that are not the caller's contacts and changes nothing;
    // deletePhotos answers the ids it deleted, none for photos that are not the caller's.
    matches!(
        name,
        "users.getUsers"
            | "messages.getDialogs"
            | "contacts.deleteContacts"
            | "photos.deletePhotos"
    )
}

async fn ask(h: &Harness, request: &[u8]) -> Result<Vec<u8>, echo_bff::RpcError> {
    let ctx = h.ctx(DAVE_KEY).await;
    h.bff.invoke(&ctx, request).await
}

#[tokio::test]
async fn forged_and_invisible_targets_are_refused_alike() {
    let (h, _pushes, _alice, bob, carol, chat_id) = three().await;
    let _dave = h.register(DAVE_KEY, "15550404", "Dave").await;
    // Dave's own group (with Carol, whose hash he got legitimately), for the methods that
    // name a user inside a chat.
    let carol_hash = h
        .storage
        .users
        .get(carol.id)
        .await
        .unwrap()
        .unwrap()
        .access_hash;
    let mut carol_input = input_user(&carol);
    if let enums::InputUser::User(u) = &mut carol_input {
        u.access_hash = carol_hash;
    }
    let created = h
        .call(
            DAVE_KEY,
            &functions::messages::CreateChat {
                users: vec![carol_input],
                title: "Dave's".into(),
                ttl_period: None,
            },
        )
        .await
        .expect("Dave's group");
    let enums::messages::InvitedUsers::Users(created) = created;
    let enums::Updates::Updates(u) = &created.updates else {
        panic!("updates")
    };
    let own_chat = match &u.chats[0] {
        enums::Chat::Chat(c) => c.id,
        other => panic!("chat expected, got {other:?}"),
    };

    let bob_hash = h
        .storage
        .users
        .get(bob.id)
        .await
        .unwrap()
        .unwrap()
        .access_hash;
    let forged = bob_hash ^ 0x5a5a_5a5a;
    // Bob's supergroup, which Dave is not in and whose hash he never got.
    let channel = h
        .storage
        .channels
        .create(echo_storage::NewChannel {
            creator_id: bob.id,
            access_hash: 0x1234_5678,
            title: "Bob's".into(),
            about: String::new(),
            broadcast: false,
            megagroup: true,
            date: common::NOW,
            creator_rights: Vec::new(),
        })
        .await
        .expect("Bob's channel");
    let pairs = [
        (
            "user",
            Target::User {
                id: bob.id,
                access_hash: forged,
            },
            Target::User {
                id: 9_999_999,
                access_hash: forged,
            },
        ),
        (
            "chat",
            Target::Chat { id: chat_id },
            Target::Chat { id: chat_id + 1000 },
        ),
        (
            "channel",
            Target::Channel {
                id: channel.id,
                access_hash: channel.access_hash ^ 0x5a5a_5a5a,
            },
            Target::Channel {
                id: channel.id + 1000,
                access_hash: channel.access_hash ^ 0x5a5a_5a5a,
            },
        ),
    ];

    let implemented = h.bff.implemented();
    let methods: Vec<(String, u32)> = schema_methods()
        .into_iter()
        .filter(|(_, id)| implemented.contains(id))
        .collect();
    assert!(
        methods.len() >= 20,
        "the schema scan found only {methods:?}"
    );

    let mut report = BTreeMap::new();
    let mut failures = Vec::new();
    for (name, _) in &methods {
        for (kind, existing, missing) in pairs {
            let (Some(a), Some(b)) = (
                probe(name, existing, own_chat),
                probe(name, missing, own_chat),
            ) else {
                continue;
            };
            let (exists, absent) = (ask(&h, &a).await, ask(&h, &b).await);
            let refused = match &exists {
                Err(e) => e.code == 400 || e.code == 403,
                Ok(_) => empty_answer_allowed(name),
            };
            if exists != absent {
                failures.push(format!(
                    "{name} ({kind}): exists {exists:?} vs absent {absent:?}"
                ));
            } else if !refused {
                failures.push(format!("{name} ({kind}): not refused: {exists:?}"));
            }
            let shown = match &exists {
                Err(e) => e.message.clone(),
                Ok(_) => "empty result".into(),
            };
            report.insert(format!("{name} ({kind})"), shown);
        }
    }
    for (k, v) in &report {
        println!("{k}: {v}");
    }
    assert!(
        failures.is_empty(),
        "access checks leak or pass:\n{}",
        failures.join("\n")
    );
}
