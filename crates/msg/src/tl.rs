//! Box records → TL (newest layer): the `Message` a box copy shows its owner
//! (core.telegram.org/constructor/message) and the `Update` bodies of the updates log
//! (core.telegram.org/api/updates): updateNewMessage, updateEditMessage,
//! updateDeleteMessages, updateReadHistoryInbox, updateReadHistoryOutbox.

use echo_storage::{BoxChange, BoxMessage, Peer, UpdateEncoder};
use echo_tl::{enums, types, Deserializable, Serializable};

/// TL `int` dates; times past 2038 saturate instead of wrapping.
pub fn tl_date(unix: i64) -> i32 {
    i32::try_from(unix).unwrap_or(if unix < 0 { 0 } else { i32::MAX })
}

pub fn peer(p: Peer) -> enums::Peer {
    match p {
        Peer::User(user_id) => enums::Peer::User(types::PeerUser { user_id }),
        Peer::Chat(chat_id) => enums::Peer::Chat(types::PeerChat { chat_id }),
        Peer::Channel(channel_id) => enums::Peer::Channel(types::PeerChannel { channel_id }),
    }
}

/// Decodes an opaque TL blob the BFF stored itself; a blob that no longer parses (a schema
/// change) is dropped from the answer rather than failing the whole call.
fn decode_blob<T: Deserializable>(bytes: &[u8], what: &str) -> Option<T> {
    if bytes.is_empty() {
        return None;
    }
    match T::from_bytes(bytes) {
        Ok(value) => Some(value),
        Err(e) => {
            tracing::warn!(error = %e, what, "stored TL blob does not decode; leaving it out");
            None
        }
    }
}

/// The action of a service message: a message of a basic group whose `media` blob holds a
/// `MessageAction` (whose constructor ids never collide with `MessageMedia` ones).
pub fn service_action(m: &BoxMessage) -> Option<enums::MessageAction> {
    if m.media.is_empty() || !matches!(m.peer, Peer::Chat(_)) {
        return None;
    }
    enums::MessageAction::from_bytes(&m.media).ok()
}

/// A message as stored in `viewer`'s box (message ids and pts are per user).
pub fn message(m: &BoxMessage, viewer: i64) -> enums::Message {
    // Saved Messages: the dialog with oneself. saved_peer_id names the sub-dialog the message
    // is filed under, which for a message written there directly is the user themself.
    let saved_peer_id = (m.peer == Peer::User(viewer)).then(|| peer(Peer::User(viewer)));
    if let Some(action) = service_action(m) {
        // Basic-group service messages keep their serialized MessageAction in `media`.
        return enums::Message::Service(types::MessageService {
            out: m.out,
            mentioned: false,
            media_unread: false,
            reactions_are_possible: false,
            silent: false,
            post: false,
            legacy: false,
            id: m.id,
            from_id: Some(peer(Peer::User(m.from_id))),
            peer_id: peer(m.peer),
            saved_peer_id: None,
            reply_to: None,
            date: tl_date(m.date),
            action,
            reactions: None,
            ttl_period: None,
        });
    }
    let entities: Option<Vec<enums::MessageEntity>> = decode_blob(&m.entities, "entities");
    enums::Message::Message(types::Message {
        // Telegram marks nothing in Saved Messages as outgoing (TDLib checks this: a message
        // from me is outgoing unless the dialog is the one with myself).
        out: m.out && m.peer != Peer::User(viewer),
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
        id: m.id,
        from_id: Some(peer(Peer::User(m.from_id))),
        from_boosts_applied: None,
        from_rank: None,
        peer_id: peer(m.peer),
        saved_peer_id,
        fwd_from: decode_blob(&m.fwd, "fwd_from"),
        via_bot_id: None,
        via_business_bot_id: None,
        guestchat_via_from: None,
        reply_to: m.reply_to_msg_id.map(reply_header),
        date: tl_date(m.date),
        message: m.message.clone(),
        media: decode_blob(&m.media, "media"),
        reply_markup: None,
        entities: entities.filter(|e| !e.is_empty()),
        views: None,
        forwards: None,
        replies: None,
        edit_date: m.edit_date.map(tl_date),
        post_author: None,
        grouped_id: m.grouped_id,
        reactions: None,
        restriction_reason: None,
        ttl_period: None,
        quick_reply_shortcut_id: None,
        effect: None,
        factcheck: None,
        report_delivery_until_date: None,
        paid_message_stars: None,
        suggested_post: None,
        schedule_repeat_period: None,
        summary_from_language: None,
        rich_message: None,
    })
}

/// The reply header of a message replying to `reply_to_msg_id` in the same dialog.
pub fn reply_header(reply_to_msg_id: i32) -> enums::MessageReplyHeader {
    enums::MessageReplyHeader::Header(types::MessageReplyHeader {
        reply_to_scheduled: false,
        forum_topic: false,
        quote: false,
        reply_to_ephemeral: false,
        reply_to_msg_id: Some(reply_to_msg_id),
        reply_to_peer_id: None,
        reply_from: None,
        reply_media: None,
        reply_to_top_id: None,
        quote_text: None,
        quote_entities: None,
        quote_offset: None,
        todo_item_id: None,
        poll_option: None,
    })
}

/// The `Update` a logged box change shows the box owner.
pub fn update(change: &BoxChange<'_>, viewer: i64) -> enums::Update {
    match *change {
        BoxChange::NewMessage(m) => enums::Update::NewMessage(types::UpdateNewMessage {
            message: message(m, viewer),
            pts: m.pts,
            pts_count: 1,
        }),
        BoxChange::EditMessage(m) => enums::Update::EditMessage(types::UpdateEditMessage {
            message: message(m, viewer),
            pts: m.pts,
            pts_count: 1,
        }),
        BoxChange::DeleteMessages {
            ids,
            pts,
            pts_count,
        } => enums::Update::DeleteMessages(types::UpdateDeleteMessages {
            messages: ids.to_vec(),
            pts,
            pts_count,
        }),
        BoxChange::ReadInbox { dialog, pts } => {
            enums::Update::ReadHistoryInbox(types::UpdateReadHistoryInbox {
                folder_id: None,
                peer: peer(dialog.peer),
                top_msg_id: None,
                max_id: dialog.read_inbox_max_id,
                still_unread_count: dialog.unread_count,
                pts,
                pts_count: 1,
            })
        }
        BoxChange::ReadOutbox { dialog, pts } => {
            enums::Update::ReadHistoryOutbox(types::UpdateReadHistoryOutbox {
                peer: peer(dialog.peer),
                max_id: dialog.read_outbox_max_id,
                pts,
                pts_count: 1,
            })
        }
    }
}

/// Encodes log entries as TL `Update`s for the box owner `viewer`.
pub struct TlEncoder {
    pub viewer: i64,
}

impl UpdateEncoder for TlEncoder {
    fn encode(&self, change: &BoxChange<'_>) -> Vec<u8> {
        update(change, self.viewer).to_bytes()
    }
}

/// Encodes each change as the owner of the changed box sees it: for the appends that write
/// several boxes at once (`UpdateLogStore::append_with_copies`, `append_copies`), where one
/// fixed viewer would be wrong for all but one box. Only message changes depend on the
/// viewer, and they carry their box's owner (`user_id`).
#[derive(Clone, Copy, Debug, Default)]
pub struct BoxOwnerEncoder;

impl UpdateEncoder for BoxOwnerEncoder {
    fn encode(&self, change: &BoxChange<'_>) -> Vec<u8> {
        let owner = match change {
            BoxChange::NewMessage(m) | BoxChange::EditMessage(m) => m.user_id,
            // Not viewer-dependent (see `update`).
            _ => 0,
        };
        update(change, owner).to_bytes()
    }
}

/// The message entities stored with a copy, if any.
pub fn entities_of(m: &BoxMessage) -> Option<Vec<enums::MessageEntity>> {
    if m.entities.is_empty() {
        return None;
    }
    Vec::<enums::MessageEntity>::from_bytes(&m.entities)
        .ok()
        .filter(|e| !e.is_empty())
}

/// updateShortMessage (core.telegram.org/constructor/updateShortMessage) for a private-chat
/// copy `m` as its owner sees it.
pub fn short_message(m: &BoxMessage, silent: bool) -> enums::Updates {
    enums::Updates::UpdateShortMessage(types::UpdateShortMessage {
        out: m.out,
        mentioned: false,
        media_unread: false,
        silent,
        id: m.id,
        user_id: m.peer.id(),
        message: m.message.clone(),
        pts: m.pts,
        pts_count: 1,
        date: tl_date(m.date),
        fwd_from: if m.fwd.is_empty() {
            None
        } else {
            enums::MessageFwdHeader::from_bytes(&m.fwd).ok()
        },
        via_bot_id: None,
        reply_to: m.reply_to_msg_id.map(reply_header),
        entities: entities_of(m),
        ttl_period: None,
    })
}
