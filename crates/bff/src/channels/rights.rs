//! Admin and banned rights in channels (core.telegram.org/api/rights,
//! /constructor/chatAdminRights, /constructor/chatBannedRights).
//!
//! The creator has every right; an admin has the rights of their `ChatAdminRights`; a
//! plain member of a supergroup may do what neither the group's default banned rights nor
//! their own banned rights forbid. Broadcast channels let only admins post.

use echo_storage::{ChannelParticipantRecord, ChannelRecord, ChannelRole};
use echo_tl::{enums, types, Deserializable, Serializable};

use super::Access;
use crate::context::RpcError;

/// Every admin right: what the creator holds.
pub(crate) fn creator_rights() -> types::ChatAdminRights {
    types::ChatAdminRights {
        change_info: true,
        post_messages: true,
        edit_messages: true,
        delete_messages: true,
        ban_users: true,
        invite_users: true,
        pin_messages: true,
        add_admins: true,
        anonymous: false,
        manage_call: true,
        other: true,
        manage_topics: true,
        post_stories: true,
        edit_stories: true,
        delete_stories: true,
        manage_direct_messages: true,
        manage_ranks: true,
        manage_linked_peers: true,
        manage_welcome_messages: true,
    }
}

pub(crate) fn creator_rights_bytes() -> Vec<u8> {
    enums::ChatAdminRights::Rights(creator_rights()).to_bytes()
}

/// The admin rights of a participant: all for the creator, the stored ones for an admin.
pub(crate) fn admin_rights(p: &ChannelParticipantRecord) -> Option<types::ChatAdminRights> {
    match p.role {
        ChannelRole::Creator => Some(creator_rights()),
        ChannelRole::Admin => match enums::ChatAdminRights::from_bytes(&p.admin_rights) {
            Ok(enums::ChatAdminRights::Rights(r)) => Some(r),
            Err(_) => None,
        },
        _ => None,
    }
}

/// Stored banned rights (a channel's default, or a participant's own).
pub(crate) fn banned_rights(bytes: &[u8]) -> Option<types::ChatBannedRights> {
    if bytes.is_empty() {
        return None;
    }
    match enums::ChatBannedRights::from_bytes(bytes) {
        Ok(enums::ChatBannedRights::Rights(r)) => Some(r),
        Err(_) => None,
    }
}

/// Whether the caller holds the admin right `right` (the creator holds them all).
pub(crate) fn has_admin_right(
    access: &Access,
    right: impl Fn(&types::ChatAdminRights) -> bool,
) -> bool {
    access
        .me
        .as_ref()
        .filter(|p| p.role.is_member())
        .and_then(admin_rights)
        .is_some_and(|r| right(&r))
}

/// CHAT_ADMIN_REQUIRED unless the caller holds `right`.
pub(crate) fn require_admin_right(
    access: &Access,
    right: impl Fn(&types::ChatAdminRights) -> bool,
) -> Result<(), RpcError> {
    if has_admin_right(access, right) {
        Ok(())
    } else {
        Err(RpcError::new(403, "CHAT_ADMIN_REQUIRED"))
    }
}

/// Whether a plain member of `channel` is denied `what` by the default banned rights.
pub(crate) fn default_denies(
    channel: &ChannelRecord,
    what: impl Fn(&types::ChatBannedRights) -> bool,
) -> bool {
    banned_rights(&channel.default_banned_rights).is_some_and(|r| what(&r))
}

/// One flag of chatBannedRights.
type BannedRight = fn(&types::ChatBannedRights) -> bool;

/// What a message carries, for the banned rights that govern it
/// (core.telegram.org/constructor/chatBannedRights).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Content {
    /// Text alone (send_plain).
    Plain,
    /// Media of a kind no finer right names (send_media alone).
    Media,
    Photo,
    Video,
    RoundVideo,
    Audio,
    Voice,
    Sticker,
    Gif,
    Document,
}

impl Content {
    /// The kind of a message's media.
    pub(crate) fn of(media: &enums::MessageMedia) -> Content {
        let doc = match media {
            enums::MessageMedia::Photo(_) => return Content::Photo,
            enums::MessageMedia::Document(d) => d,
            _ => return Content::Media,
        };
        if doc.round {
            return Content::RoundVideo;
        }
        if doc.voice {
            return Content::Voice;
        }
        match &doc.document {
            Some(enums::Document::Document(d)) => Content::of_attributes(&d.attributes),
            _ => Content::Document,
        }
    }

    /// The kind of an InputMedia when it shows without building it (photos and uploaded
    /// documents); `None` for documents named by id.
    pub(crate) fn of_input(media: &enums::InputMedia) -> Option<Content> {
        match media {
            enums::InputMedia::UploadedPhoto(_) | enums::InputMedia::Photo(_) => {
                Some(Content::Photo)
            }
            enums::InputMedia::UploadedDocument(d) => Some(Content::of_attributes(&d.attributes)),
            _ => None,
        }
    }

    fn of_attributes(attributes: &[enums::DocumentAttribute]) -> Content {
        let mut kind = Content::Document;
        for attribute in attributes {
            kind = match attribute {
                enums::DocumentAttribute::Sticker(_) => return Content::Sticker,
                enums::DocumentAttribute::Animated => return Content::Gif,
                enums::DocumentAttribute::Video(v) if v.round_message => Content::RoundVideo,
                enums::DocumentAttribute::Video(_) => Content::Video,
                enums::DocumentAttribute::Audio(a) if a.voice => Content::Voice,
                enums::DocumentAttribute::Audio(_) => Content::Audio,
                _ => continue,
            };
        }
        kind
    }

    /// The finer right that bans this kind and its error.
    fn right(self) -> Option<(BannedRight, &'static str)> {
        Some(match self {
            Content::Plain | Content::Media => return None,
            Content::Photo => (|r| r.send_photos, "CHAT_SEND_PHOTOS_FORBIDDEN"),
            Content::Video => (|r| r.send_videos, "CHAT_SEND_VIDEOS_FORBIDDEN"),
            Content::RoundVideo => (|r| r.send_roundvideos, "CHAT_SEND_ROUNDVIDEOS_FORBIDDEN"),
            Content::Audio => (|r| r.send_audios, "CHAT_SEND_AUDIOS_FORBIDDEN"),
            Content::Voice => (|r| r.send_voices, "CHAT_SEND_VOICES_FORBIDDEN"),
            Content::Sticker => (|r| r.send_stickers, "CHAT_SEND_STICKERS_FORBIDDEN"),
            Content::Gif => (|r| r.send_gifs, "CHAT_SEND_GIFS_FORBIDDEN"),
            Content::Document => (|r| r.send_docs, "CHAT_SEND_DOCS_FORBIDDEN"),
        })
    }
}

/// May the caller post a text message here? See [`check_can_send`].
pub(crate) fn check_can_post(access: &Access) -> Result<(), RpcError> {
    check_can_send(access, Content::Plain)
}

/// May the caller post `content` here? Broadcasts: admins with post_messages
/// (CHAT_ADMIN_REQUIRED otherwise); supergroups: members whom neither the default nor their
/// own banned rights forbid sending (CHAT_WRITE_FORBIDDEN), text alone
/// (CHAT_SEND_PLAIN_FORBIDDEN), media (CHAT_SEND_MEDIA_FORBIDDEN) or this kind of media
/// (CHAT_SEND_PHOTOS_FORBIDDEN, CHAT_SEND_DOCS_FORBIDDEN, ...).
pub(crate) fn check_can_send(access: &Access, content: Content) -> Result<(), RpcError> {
    let me = access.member()?;
    if access.channel.broadcast {
        return require_admin_right(access, |r| r.post_messages);
    }
    if me.role.is_admin() {
        return Ok(());
    }
    let denies = |what: &dyn Fn(&types::ChatBannedRights) -> bool| {
        default_denies(&access.channel, what) || personal_denies(me, what)
    };
    if denies(&|r| r.send_messages) {
        return Err(RpcError::new(403, "CHAT_WRITE_FORBIDDEN"));
    }
    if content == Content::Plain {
        if denies(&|r| r.send_plain) {
            return Err(RpcError::new(403, "CHAT_SEND_PLAIN_FORBIDDEN"));
        }
        return Ok(());
    }
    if denies(&|r| r.send_media) {
        return Err(RpcError::new(403, "CHAT_SEND_MEDIA_FORBIDDEN"));
    }
    match content.right() {
        Some((right, error)) if denies(&right) => Err(RpcError::new(403, error)),
        _ => Ok(()),
    }
}

/// Whether a restricted member's own banned rights, still in force, deny `what`. The
/// expiry is compared with the wall clock: `check_can_post` has no request time, and an
/// ended restriction only has to stop applying, not at an exact second.
pub(crate) fn personal_denies(
    p: &ChannelParticipantRecord,
    what: impl Fn(&types::ChatBannedRights) -> bool,
) -> bool {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let in_force = p.banned_until == 0 || p.banned_until > now;
    in_force && banned_rights(&p.banned_rights).is_some_and(|r| what(&r))
}

/// May the caller pin messages? Admins with pin_messages; in supergroups also members
/// whom neither the default nor their own banned rights forbid pinning.
pub(crate) fn check_can_pin(access: &Access) -> Result<(), RpcError> {
    let me = access.member()?;
    if has_admin_right(access, |r| r.pin_messages) {
        return Ok(());
    }
    if access.channel.megagroup
        && !me.role.is_admin()
        && !default_denies(&access.channel, |r| r.pin_messages)
        && !personal_denies(me, |r| r.pin_messages)
    {
        return Ok(());
    }
    Err(RpcError::new(403, "CHAT_ADMIN_REQUIRED"))
}

/// May the caller invite users? Broadcasts: admins with invite_users; supergroups: also
/// members, unless the default rights ban inviting.
pub(crate) fn check_can_invite(access: &Access) -> Result<(), RpcError> {
    access.member()?;
    if has_admin_right(access, |r| r.invite_users) {
        return Ok(());
    }
    if access.channel.megagroup && !default_denies(&access.channel, |r| r.invite_users) {
        return Ok(());
    }
    Err(RpcError::new(403, "CHAT_ADMIN_REQUIRED"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn participant(role: ChannelRole, rights: Vec<u8>) -> ChannelParticipantRecord {
        ChannelParticipantRecord {
            channel_id: 1,
            user_id: 2,
            inviter_id: 2,
            date: 0,
            role,
            admin_rights: rights,
            promoted_by: 0,
            banned_rights: Vec::new(),
            banned_until: 0,
            kicked_by: 0,
            rank: None,
            read_inbox_max_id: 0,
            read_outbox_max_id: 0,
            available_min_id: 0,
        }
    }

    #[test]
    fn creator_has_everything_member_nothing() {
        let creator = participant(ChannelRole::Creator, Vec::new());
        assert!(admin_rights(&creator).is_some_and(|r| r.delete_messages && r.post_messages));
        assert!(admin_rights(&participant(ChannelRole::Member, Vec::new())).is_none());
        let mut limited = creator_rights();
        limited.delete_messages = false;
        let admin = participant(
            ChannelRole::Admin,
            enums::ChatAdminRights::Rights(limited).to_bytes(),
        );
        assert!(admin_rights(&admin).is_some_and(|r| !r.delete_messages && r.change_info));
    }

    #[test]
    fn media_kinds_follow_document_attributes() {
        let audio = |voice| {
            enums::DocumentAttribute::Audio(types::DocumentAttributeAudio {
                voice,
                duration: 3,
                title: None,
                performer: None,
                waveform: None,
            })
        };
        let video = |round_message| {
            enums::DocumentAttribute::Video(types::DocumentAttributeVideo {
                round_message,
                supports_streaming: false,
                nosound: false,
                duration: 1.0,
                w: 10,
                h: 10,
                preload_prefix_size: None,
                video_start_ts: None,
                video_codec: None,
            })
        };
        let name = enums::DocumentAttribute::Filename(types::DocumentAttributeFilename {
            file_name: "a.bin".into(),
        });
        assert_eq!(
            Content::of_attributes(std::slice::from_ref(&name)),
            Content::Document
        );
        assert_eq!(Content::of_attributes(&[name, audio(true)]), Content::Voice);
        assert_eq!(Content::of_attributes(&[audio(false)]), Content::Audio);
        assert_eq!(Content::of_attributes(&[video(false)]), Content::Video);
        assert_eq!(Content::of_attributes(&[video(true)]), Content::RoundVideo);
        assert_eq!(
            Content::of_attributes(&[video(false), enums::DocumentAttribute::Animated]),
            Content::Gif
        );
    }
}
