//! Public channels: core.telegram.org/method/channels.checkUsername,
//! /method/channels.updateUsername, /method/channels.exportMessageLink, channel usernames
//! in /method/contacts.resolveUsername, and what outsiders see of a public channel
//! (core.telegram.org/api/channel: "public channels" can be found, previewed and joined
//! by anyone).
//!
//! Users and channels share one username namespace: a name held by either is
//! USERNAME_OCCUPIED for the other.

use std::sync::Arc;

use echo_storage::{ChannelParticipantRecord, ChannelRecord, ChannelRole, StorageError};
use echo_tl::{enums, functions, types};

use super::manage::update_channel;
use super::post::push_to_members;
use super::rights::require_admin_right;
use super::view::tl_channel;
use super::{access_input, Access};
use crate::account::valid_username;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::router::Router;

pub fn register(r: &mut Router) {
    r.method(check_username);
    r.method(update_username);
    r.method(export_message_link);
}

/// The participant row an outsider of a public channel is shown with (role left, nothing
/// unread); `None` for a private channel, a deleted one, or a user the admins banned.
pub(crate) fn outsider_view(
    channel: &ChannelRecord,
    me: Option<&ChannelParticipantRecord>,
) -> Option<ChannelParticipantRecord> {
    if channel.username.is_none() || channel.deleted {
        return None;
    }
    if me.is_some_and(|p| p.role == ChannelRole::Banned) {
        return None;
    }
    Some(ChannelParticipantRecord {
        channel_id: channel.id,
        user_id: me.map_or(0, |p| p.user_id),
        inviter_id: 0,
        date: channel.date,
        role: ChannelRole::Left,
        admin_rights: Vec::new(),
        promoted_by: 0,
        banned_rights: Vec::new(),
        banned_until: 0,
        kicked_by: 0,
        rank: None,
        read_inbox_max_id: channel.max_message_id,
        read_outbox_max_id: 0,
        available_min_id: 0,
    })
}

/// Whether `name` is held (in any letter case) by a user other than `except_user` or a
/// channel other than `except_channel`.
pub(crate) async fn username_taken(
    deps: &BffDeps,
    name: &str,
    except_user: Option<i64>,
    except_channel: Option<i64>,
) -> Result<bool, RpcError> {
    let by_user = deps
        .storage
        .users
        .get_by_username(name)
        .await?
        .is_some_and(|u| Some(u.id) != except_user);
    if by_user {
        return Ok(true);
    }
    Ok(deps
        .storage
        .channels
        .get_by_username(name)
        .await?
        .is_some_and(|c| Some(c.id) != except_channel))
}

/// contacts.resolveUsername for a channel username: the channel as the caller sees it.
pub(crate) async fn resolve_channel_username(
    deps: &BffDeps,
    me: i64,
    name: &str,
) -> Result<Option<enums::contacts::ResolvedPeer>, RpcError> {
    let Some(channel) = deps.storage.channels.get_by_username(name).await? else {
        return Ok(None);
    };
    let mine = deps.storage.channels.participant(channel.id, me).await?;
    Ok(Some(enums::contacts::ResolvedPeer::Peer(
        types::contacts::ResolvedPeer {
            peer: crate::convert::peer(echo_storage::Peer::Channel(channel.id)),
            chats: vec![tl_channel(&channel, mine.as_ref())],
            users: Vec::new(),
        },
    )))
}

/// The channel a username is checked or set for: `None` for inputChannelEmpty (a channel
/// about to be created); otherwise the caller must hold change_info.
async fn editable(
    deps: &BffDeps,
    ctx: &RpcContext,
    input: &enums::InputChannel,
) -> Result<Option<Access>, RpcError> {
    if matches!(input, enums::InputChannel::Empty) {
        return Ok(None);
    }
    let access = access_input(deps, ctx, input).await?;
    access.member()?;
    require_admin_right(&access, |r| r.change_info)?;
    Ok(Some(access))
}

async fn check_username(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::CheckUsername,
) -> Result<bool, RpcError> {
    ctx.user()?;
    let access = editable(&deps, &ctx, &req.channel).await?;
    if !valid_username(&req.username) {
        return Err(RpcError::bad_request("USERNAME_INVALID"));
    }
    let own = access.as_ref().map(|a| a.channel.id);
    if username_taken(&deps, &req.username, None, own).await? {
        return Err(RpcError::bad_request("USERNAME_OCCUPIED"));
    }
    Ok(true)
}

async fn update_username(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::UpdateUsername,
) -> Result<bool, RpcError> {
    ctx.user()?;
    let access = editable(&deps, &ctx, &req.channel)
        .await?
        .ok_or_else(super::invalid)?;
    let channel = &access.channel;
    // An empty username makes the channel private again.
    let wanted = (!req.username.is_empty()).then_some(req.username.as_str());
    if let Some(name) = wanted {
        if !valid_username(name) {
            return Err(RpcError::bad_request("USERNAME_INVALID"));
        }
        if username_taken(&deps, name, None, Some(channel.id)).await? {
            return Err(RpcError::bad_request("USERNAME_OCCUPIED"));
        }
    }
    if channel.username.as_deref() == wanted {
        return Err(RpcError::bad_request("USERNAME_NOT_MODIFIED"));
    }
    match deps.storage.channels.set_username(channel.id, wanted).await {
        Ok(()) => {}
        Err(StorageError::Conflict(_)) => return Err(RpcError::bad_request("USERNAME_OCCUPIED")),
        Err(e) => return Err(e.into()),
    }
    // Clients refetch the channel on updateChannel; the caller's session included.
    let id = channel.id;
    push_to_members(&deps, &ctx, channel, &[], |_| vec![update_channel(id)]).await?;
    Ok(true)
}

/// The t.me link of a message: `t.me/<username>/<id>` for a public channel,
/// `t.me/c/<channel id>/<id>` (members only) for a private one.
pub(crate) fn message_link(channel: &ChannelRecord, id: i32) -> String {
    match &channel.username {
        Some(name) => format!("https://t.me/{name}/{id}"),
        None => format!("https://t.me/c/{}/{id}", channel.id),
    }
}

async fn export_message_link(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::ExportMessageLink,
) -> Result<enums::ExportedMessageLink, RpcError> {
    let access = access_input(&deps, &ctx, &req.channel).await?;
    if !access.is_member() && outsider_view(&access.channel, access.me.as_ref()).is_none() {
        return Err(super::private());
    }
    let visible = deps
        .storage
        .channels
        .messages(access.channel.id, &[req.id])
        .await?
        .into_iter()
        .any(|m| m.id > access.min_visible_id());
    if !visible {
        return Err(RpcError::bad_request("MSG_ID_INVALID"));
    }
    Ok(enums::ExportedMessageLink::Link(
        types::ExportedMessageLink {
            link: message_link(&access.channel, req.id),
            // No embeddable widget is served: the link is all there is.
            html: String::new(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(username: Option<&str>) -> ChannelRecord {
        ChannelRecord {
            id: 77,
            access_hash: 1,
            creator_id: 1,
            title: "t".into(),
            about: String::new(),
            broadcast: true,
            megagroup: false,
            date: 1,
            username: username.map(str::to_owned),
            photo: None,
            pts: 1,
            max_message_id: 9,
            last_update_date: 1,
            participants_count: 1,
            signatures: false,
            pre_history_hidden: false,
            slowmode_seconds: 0,
            default_banned_rights: Vec::new(),
            deleted: false,
            migrated_from_chat_id: None,
        }
    }

    #[test]
    fn links_of_public_and_private_channels() {
        assert_eq!(
            message_link(&channel(Some("echonews")), 5),
            "https://t.me/echonews/5"
        );
        assert_eq!(message_link(&channel(None), 5), "https://t.me/c/77/5");
    }

    #[test]
    fn outsiders_see_only_public_channels() {
        assert!(outsider_view(&channel(None), None).is_none());
        let seen = outsider_view(&channel(Some("echonews")), None).expect("public");
        assert_eq!((seen.role, seen.read_inbox_max_id), (ChannelRole::Left, 9));
    }
}
