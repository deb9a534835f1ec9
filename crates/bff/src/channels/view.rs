//! Channel records → TL (core.telegram.org/constructor/channel,
//! /constructor/channelForbidden, /constructor/message, /constructor/messageService).
//!
//! What a viewer sees depends only on their role and rights, never on per-member data, so
//! every plain member gets byte-identical pushes (one serialization per post).

use echo_storage::{BoxMessage, ChannelMessage, ChannelParticipantRecord, ChannelRecord, Peer};
use echo_tl::{enums, types, Deserializable};

use super::rights::{admin_rights, banned_rights};
use crate::context::{BffDeps, RpcError};
use crate::help::tl_date;

/// The channel as a viewer with participant row `me` sees it: the full object for members,
/// channelForbidden for anyone else (a private channel reveals nothing more).
pub(crate) fn tl_channel(
    channel: &ChannelRecord,
    me: Option<&ChannelParticipantRecord>,
) -> enums::Chat {
    let member = me.filter(|p| p.role.is_member());
    // A public channel shows itself to outsiders, as `left` (core.telegram.org/api/channel).
    let outsider = super::public::outsider_view(channel, me);
    let Some(me) = member.or(outsider.as_ref()) else {
        let kicked = me.filter(|p| p.kicked_by != 0);
        return enums::Chat::ChannelForbidden(types::ChannelForbidden {
            broadcast: channel.broadcast,
            megagroup: channel.megagroup,
            monoforum: false,
            id: channel.id,
            access_hash: channel.access_hash,
            title: channel.title.clone(),
            until_date: kicked
                .filter(|p| p.banned_until > 0)
                .map(|p| tl_date(p.banned_until)),
        });
    };
    let default_banned = if channel.megagroup {
        Some(enums::ChatBannedRights::Rights(
            banned_rights(&channel.default_banned_rights).unwrap_or_else(no_bans),
        ))
    } else {
        None
    };
    enums::Chat::Channel(types::Channel {
        creator: me.role == echo_storage::ChannelRole::Creator,
        left: !me.role.is_member(),
        broadcast: channel.broadcast,
        verified: false,
        megagroup: channel.megagroup,
        restricted: false,
        signatures: channel.signatures,
        min: false,
        scam: false,
        has_link: false,
        has_geo: false,
        slowmode_enabled: channel.slowmode_seconds > 0,
        call_active: false,
        call_not_empty: false,
        fake: false,
        gigagroup: false,
        noforwards: false,
        join_to_send: false,
        join_request: false,
        forum: false,
        stories_hidden: false,
        stories_hidden_min: false,
        stories_unavailable: true,
        signature_profiles: false,
        autotranslation: false,
        broadcast_messages_allowed: false,
        monoforum: false,
        forum_tabs: false,
        id: channel.id,
        access_hash: Some(channel.access_hash),
        title: channel.title.clone(),
        username: channel.username.clone(),
        photo: crate::media_tl::stored_chat_photo(channel.photo.as_ref()),
        date: tl_date(channel.date),
        restriction_reason: None,
        admin_rights: admin_rights(me).map(enums::ChatAdminRights::Rights),
        // A restricted member sees their own restrictions.
        banned_rights: banned_rights(&me.banned_rights).map(enums::ChatBannedRights::Rights),
        default_banned_rights: default_banned,
        participants_count: Some(channel.participants_count),
        usernames: None,
        stories_max_id: None,
        color: None,
        profile_color: None,
        emoji_status: None,
        level: None,
        subscription_until_date: None,
        bot_verification_icon: None,
        send_paid_messages_stars: None,
        linked_monoforum_id: None,
        linked_community_id: None,
    })
}

/// Banned rights that ban nothing (what a supergroup without defaults reports).
pub(crate) fn no_bans() -> types::ChatBannedRights {
    types::ChatBannedRights {
        view_messages: false,
        send_messages: false,
        send_media: false,
        send_stickers: false,
        send_gifs: false,
        send_games: false,
        send_inline: false,
        embed_links: false,
        send_polls: false,
        change_info: false,
        invite_users: false,
        pin_messages: false,
        manage_topics: false,
        send_photos: false,
        send_videos: false,
        send_roundvideos: false,
        send_audios: false,
        send_voices: false,
        send_docs: false,
        send_plain: false,
        edit_rank: false,
        send_reactions: false,
        manage_linked_peers: false,
        until_date: 0,
    }
}

/// The channel objects of `ids` as `me` sees them.
pub(crate) async fn chats_for(
    deps: &BffDeps,
    me: i64,
    ids: &[i64],
) -> Result<Vec<enums::Chat>, RpcError> {
    let mut out = Vec::new();
    for channel in deps.storage.channels.get_many(ids).await? {
        let mine = deps.storage.channels.participant(channel.id, me).await?;
        out.push(tl_channel(&channel, mine.as_ref()));
    }
    Ok(out)
}

/// A channel message as `viewer` sees it: broadcast posts come from the channel (with a
/// view counter), supergroup messages from their sender; `out` when the viewer wrote it.
pub(crate) fn tl_message(
    m: &ChannelMessage,
    channel: &ChannelRecord,
    viewer: i64,
) -> enums::Message {
    let peer = crate::convert::peer(Peer::Channel(channel.id));
    let from_id = if m.post {
        None
    } else {
        Some(crate::convert::peer(Peer::User(m.from_id)))
    };
    let out = m.from_id == viewer;
    if !m.action.is_empty() {
        if let Ok(action) = enums::MessageAction::from_bytes(&m.action) {
            return enums::Message::Service(types::MessageService {
                out,
                mentioned: false,
                media_unread: false,
                reactions_are_possible: false,
                silent: false,
                post: m.post,
                legacy: false,
                id: m.id,
                from_id,
                peer_id: peer,
                saved_peer_id: None,
                // A pin announcement points at the pinned message.
                reply_to: m.reply_to_msg_id.map(echo_msg::tl::reply_header),
                date: tl_date(m.date),
                action,
                reactions: None,
                ttl_period: None,
            });
        }
    }
    // The box-message rendering already knows entities, media, replies and forwards.
    let as_box = BoxMessage {
        user_id: viewer,
        id: m.id,
        peer: Peer::Channel(channel.id),
        from_id: m.from_id,
        out,
        date: m.date,
        message: m.message.clone(),
        entities: m.entities.clone(),
        media: m.media.clone(),
        reply_to_msg_id: m.reply_to_msg_id,
        random_id: None,
        fwd: m.fwd.clone(),
        pts: m.pts,
        edit_date: m.edit_date,
        grouped_id: m.grouped_id,
    };
    let mut message = echo_msg::tl::message(&as_box, viewer);
    if let enums::Message::Message(msg) = &mut message {
        msg.from_id = from_id;
        msg.post = m.post;
        msg.post_author = m.post_author.clone();
        msg.pinned = m.pinned;
        if channel.broadcast {
            msg.views = Some(m.views.max(1));
            msg.forwards = Some(0);
        }
    }
    message
}

/// messageEmpty for an id the viewer asked for that does not exist (any more).
pub(crate) fn empty_message(channel_id: i64, id: i32) -> enums::Message {
    enums::Message::Empty(types::MessageEmpty {
        id,
        peer_id: Some(crate::convert::peer(Peer::Channel(channel_id))),
    })
}

/// Users a message shows besides the channel: its sender (unless a broadcast post) and the
/// users its service action names (clients look them up in the answer's `users`).
pub(crate) fn mentioned_users(m: &ChannelMessage) -> Vec<i64> {
    let mut ids = if m.post { Vec::new() } else { vec![m.from_id] };
    ids.extend(action_users(&m.action));
    ids
}

/// Users named by a serialized service action (empty for ordinary messages).
pub(crate) fn action_users(action: &[u8]) -> Vec<i64> {
    if action.is_empty() {
        return Vec::new();
    }
    match enums::MessageAction::from_bytes(action) {
        Ok(enums::MessageAction::ChatAddUser(a)) => a.users,
        Ok(enums::MessageAction::ChatCreate(a)) => a.users,
        Ok(enums::MessageAction::ChatDeleteUser(a)) => vec![a.user_id],
        Ok(enums::MessageAction::ChatJoinedByLink(a)) => vec![a.inviter_id],
        _ => Vec::new(),
    }
}
