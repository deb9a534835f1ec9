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

/// May the caller post a message here? Broadcasts: admins with post_messages
/// (CHAT_ADMIN_REQUIRED otherwise); supergroups: members not banned from sending
/// (CHAT_WRITE_FORBIDDEN, or CHAT_SEND_PLAIN_FORBIDDEN for text alone).
pub(crate) fn check_can_post(access: &Access) -> Result<(), RpcError> {
    let me = access.member()?;
    if access.channel.broadcast {
        return require_admin_right(access, |r| r.post_messages);
    }
    if me.role.is_admin() {
        return Ok(());
    }
    let forbidden = || RpcError::new(403, "CHAT_WRITE_FORBIDDEN");
    if default_denies(&access.channel, |r| r.send_messages) {
        return Err(forbidden());
    }
    if default_denies(&access.channel, |r| r.send_plain) {
        return Err(RpcError::new(403, "CHAT_SEND_PLAIN_FORBIDDEN"));
    }
    if personal_denies(me, |r| r.send_messages) {
        return Err(forbidden());
    }
    if personal_denies(me, |r| r.send_plain) {
        return Err(RpcError::new(403, "CHAT_SEND_PLAIN_FORBIDDEN"));
    }
    Ok(())
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
}
