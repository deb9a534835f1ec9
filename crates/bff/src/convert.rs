//! Storage records → layer-230 TL objects, in one place so every handler shows a user, a
//! message or a dialog the same way (core.telegram.org/constructor/user, /constructor/message,
//! /constructor/dialog, /constructor/peerNotifySettings, /api/peers).

use echo_storage::{BoxMessage, DialogRecord, Peer, UserRecord};
use echo_tl::{enums, types, Deserializable};

/// How long one `account.updateStatus(offline=false)` keeps a user online; Telegram clients
/// renew it every `online_update_period_ms` (210 s), so 300 s bridges one missed renewal.
pub const ONLINE_SECS: i64 = 300;

pub fn peer(p: Peer) -> enums::Peer {
    match p {
        Peer::User(user_id) => enums::Peer::User(types::PeerUser { user_id }),
        Peer::Chat(chat_id) => enums::Peer::Chat(types::PeerChat { chat_id }),
        Peer::Channel(channel_id) => enums::Peer::Channel(types::PeerChannel { channel_id }),
    }
}

/// The user or channel a stored forward header names as its origin
/// (core.telegram.org/constructor/messageFwdHeader), if any.
pub fn fwd_peer(fwd: &[u8]) -> Option<Peer> {
    if fwd.is_empty() {
        return None;
    }
    let enums::MessageFwdHeader::Header(h) = enums::MessageFwdHeader::from_bytes(fwd).ok()?;
    match h.from_id? {
        enums::Peer::User(u) => Some(Peer::User(u.user_id)),
        enums::Peer::Channel(c) => Some(Peer::Channel(c.channel_id)),
        enums::Peer::Chat(_) => None,
    }
}

fn date(unix: i64) -> i32 {
    crate::help::tl_date(unix)
}

/// `users.last_seen_at` holds the moment the user is last seen online: account.updateStatus
/// sets it `ONLINE_SECS` ahead while the user is online and to "now" when they go offline.
pub fn user_status(last_seen_at: i64, now: i64) -> enums::UserStatus {
    if last_seen_at > now {
        enums::UserStatus::Online(types::UserStatusOnline {
            expires: date(last_seen_at),
        })
    } else if last_seen_at > 0 {
        enums::UserStatus::Offline(types::UserStatusOffline {
            was_online: date(last_seen_at),
        })
    } else {
        enums::UserStatus::Recently(types::UserStatusRecently { by_me: false })
    }
}

/// The service account that sends login codes (core.telegram.org/api/auth), created by
/// migration 0003.
pub const SERVICE_USER_ID: i64 = 777_000;

/// What one viewer may see of one user beyond the public fields; built by
/// `crate::contacts::view` from the viewer's contacts and the user's privacy rules.
#[derive(Clone, Debug, PartialEq)]
pub struct UserView {
    /// The user is in the viewer's contacts.
    pub contact: bool,
    /// ... and the viewer is in theirs.
    pub mutual: bool,
    /// The names the viewer saved the contact under (shown instead of the user's own).
    pub saved_names: Option<(String, String)>,
    pub phone: bool,
    pub status: enums::UserStatus,
}

impl UserView {
    /// No relation, phone hidden, real status: what [`user`] shows to everyone but the user.
    pub fn stranger(rec: &UserRecord, now: i64) -> UserView {
        UserView {
            contact: false,
            mutual: false,
            saved_names: None,
            phone: false,
            status: user_status(rec.last_seen_at, now),
        }
    }
}

/// A user as `viewer` sees it: `self` and the phone number only for the user themself; a
/// deleted account keeps only its id and access hash (the `deleted` flag). Contact flags and
/// privacy need storage lookups: `crate::contacts::view` adds them.
pub fn user(rec: &UserRecord, viewer: i64, now: i64) -> enums::User {
    let mut view = UserView::stranger(rec, now);
    view.phone = rec.id == viewer;
    user_viewed(rec, viewer, &view)
}

/// A user as `viewer` sees it given what `view` allows.
pub fn user_viewed(rec: &UserRecord, viewer: i64, view: &UserView) -> enums::User {
    let is_self = rec.id == viewer;
    let shown = !rec.deleted;
    let non_empty = |s: &str| (shown && !s.is_empty()).then(|| s.to_string());
    let (first_name, last_name) = match &view.saved_names {
        Some((first, last)) if !is_self && (!first.is_empty() || !last.is_empty()) => {
            (first.as_str(), last.as_str())
        }
        _ => (rec.first_name.as_str(), rec.last_name.as_str()),
    };
    let service = rec.id == SERVICE_USER_ID;
    enums::User::User(types::User {
        is_self,
        contact: view.contact && !is_self,
        mutual_contact: view.mutual && !is_self,
        deleted: rec.deleted,
        bot: false,
        bot_chat_history: false,
        bot_nochats: false,
        verified: service,
        restricted: false,
        min: false,
        bot_inline_geo: false,
        support: service,
        scam: false,
        apply_min_photo: false,
        fake: false,
        bot_attach_menu: false,
        premium: false,
        attach_menu_enabled: false,
        bot_can_edit: false,
        close_friend: false,
        stories_hidden: false,
        stories_unavailable: false,
        contact_require_premium: false,
        bot_business: false,
        bot_has_main_app: false,
        bot_forum_view: false,
        bot_forum_can_manage_topics: false,
        bot_can_manage_bots: false,
        bot_guestchat: false,
        bot_guard: false,
        id: rec.id,
        access_hash: Some(rec.access_hash),
        first_name: non_empty(first_name),
        last_name: non_empty(last_name),
        username: rec.username.as_deref().and_then(non_empty),
        phone: if is_self || view.phone {
            non_empty(&rec.phone)
        } else {
            None
        },
        photo: None,
        status: shown.then(|| view.status.clone()),
        bot_info_version: None,
        restriction_reason: None,
        bot_inline_placeholder: None,
        lang_code: None,
        emoji_status: None,
        usernames: None,
        stories_max_id: None,
        color: None,
        profile_color: None,
        bot_active_users: None,
        bot_verification_icon: None,
        send_paid_messages_stars: None,
        linked_community_id: None,
    })
}

/// Telegram's defaults for a chat nobody changed: previews shown, sound on, not muted.
pub fn default_notify_settings() -> enums::PeerNotifySettings {
    enums::PeerNotifySettings::Settings(types::PeerNotifySettings {
        show_previews: Some(true),
        silent: Some(false),
        mute_until: Some(0),
        ios_sound: None,
        android_sound: None,
        other_sound: None,
        stories_muted: None,
        stories_hide_sender: None,
        stories_ios_sound: None,
        stories_android_sound: None,
        stories_other_sound: None,
    })
}

/// A message as stored in `viewer`'s box (message ids and pts are per user). One
/// conversion for the API answers and the updates log: `echo_msg::tl::message`.
pub fn message(m: &BoxMessage, viewer: i64) -> enums::Message {
    echo_msg::tl::message(m, viewer)
}

pub fn dialog(d: &DialogRecord) -> enums::Dialog {
    enums::Dialog::Dialog(types::Dialog {
        pinned: d.pinned,
        unread_mark: d.unread_mark,
        view_forum_as_messages: false,
        peer: peer(d.peer),
        top_message: d.top_message,
        read_inbox_max_id: d.read_inbox_max_id,
        read_outbox_max_id: d.read_outbox_max_id,
        unread_count: d.unread_count,
        unread_mentions_count: 0,
        unread_reactions_count: 0,
        unread_poll_votes_count: 0,
        notify_settings: default_notify_settings(),
        pts: None,
        draft: None,
        folder_id: None,
        ttl_period: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use echo_tl::Serializable;

    fn record(id: i64) -> UserRecord {
        UserRecord {
            id,
            access_hash: 77,
            phone: "15550001".into(),
            first_name: "Ann".into(),
            last_name: String::new(),
            username: None,
            about: String::new(),
            last_seen_at: 0,
            created_at: 0,
            deleted: false,
        }
    }

    #[test]
    fn phone_and_self_flag_only_for_the_user_themself() {
        let enums::User::User(me) = user(&record(5), 5, 100) else {
            panic!("user expected")
        };
        assert!(me.is_self);
        assert_eq!(me.phone.as_deref(), Some("15550001"));
        assert_eq!(me.last_name, None);
        let enums::User::User(other) = user(&record(5), 6, 100) else {
            panic!("user expected")
        };
        assert!(!other.is_self);
        assert_eq!(other.phone, None);
        assert_eq!(other.access_hash, Some(77));
    }

    #[test]
    fn status_follows_last_seen() {
        assert!(matches!(user_status(150, 100), enums::UserStatus::Online(s) if s.expires == 150));
        assert!(
            matches!(user_status(90, 100), enums::UserStatus::Offline(s) if s.was_online == 90)
        );
        assert!(matches!(
            user_status(0, 100),
            enums::UserStatus::Recently(_)
        ));
    }

    #[test]
    fn saved_message_round_trips_entities() {
        let entities = vec![enums::MessageEntity::Bold(types::MessageEntityBold {
            offset: 0,
            length: 2,
        })];
        let m = BoxMessage {
            user_id: 5,
            id: 3,
            peer: Peer::User(5),
            from_id: 5,
            out: true,
            date: 1000,
            message: "hi".into(),
            entities: entities.to_bytes(),
            media: Vec::new(),
            reply_to_msg_id: None,
            random_id: Some(9),
            fwd: vec![1, 2, 3],
            pts: 4,
            edit_date: None,
            grouped_id: None,
        };
        let enums::Message::Message(tl) = message(&m, 5) else {
            panic!("message expected")
        };
        // Nothing in Saved Messages is outgoing (what TDLib expects of Telegram).
        assert!(!tl.out);
        assert_eq!(tl.entities, Some(entities));
        assert_eq!(tl.saved_peer_id, Some(peer(Peer::User(5))));
        // A blob that does not decode is left out instead of failing.
        assert_eq!(tl.fwd_from, None);
    }
}
