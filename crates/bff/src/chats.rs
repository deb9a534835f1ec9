//! Basic groups (core.telegram.org/constructor/chat, /api/peers, /method/messages.createChat
//! and the methods in [`methods`]).
//!
//! Built like private chats: every member has an own copy of each group message in their own
//! box, with their own id and pts (core.telegram.org/api/updates). Service messages
//! (messageService with a messageActionChat* action) go to every member the same way; their
//! action is kept in the copy's `media` blob (see `echo_msg::tl::service_action`).
//! [`delivery`] fans messages out to the members' boxes; [`settings`] holds editChatAbout,
//! editChatAdmin and editChatDefaultBannedRights, [`invites`] the invite links.

mod delivery;
mod invites;
mod methods;
mod migrate;
mod photo;
mod settings;

use echo_storage::{ChatMember, ChatRecord, Peer};
use echo_tl::{enums, types, Deserializable};

use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;

pub(crate) use delivery::{deliver_to_members, post_service};
pub(crate) use invites::new_hash as new_invite_hash;

pub fn register(r: &mut Router) {
    methods::register(r);
    settings::register(r);
    invites::register(r);
    photo::register(r);
    migrate::register(r);
}

/// The group `chat_id` as a dialog peer of `me`: members, and former members who still have
/// the dialog (they may read what they got). Anyone else gets PEER_ID_INVALID.
pub(crate) async fn resolve_chat_peer(
    deps: &BffDeps,
    me: i64,
    chat_id: i64,
) -> Result<Peer, RpcError> {
    let invalid = || RpcError::bad_request("PEER_ID_INVALID");
    let peer = Peer::Chat(chat_id);
    deps.storage.chats.get(chat_id).await?.ok_or_else(invalid)?;
    if deps.storage.chats.is_member(chat_id, me).await?
        || deps.storage.dialogs.get(me, peer).await?.is_some()
    {
        return Ok(peer);
    }
    Err(invalid())
}

/// CHAT_WRITE_FORBIDDEN unless `me` is a current member of `chat_id` whom the group's
/// default banned rights let send (admins and the creator always may); a ban of plain text
/// alone is CHAT_SEND_PLAIN_FORBIDDEN; a group migrated to a supergroup is PEER_ID_INVALID.
pub(crate) async fn check_can_write(deps: &BffDeps, me: i64, chat_id: i64) -> Result<(), RpcError> {
    let forbidden = || RpcError::new(403, "CHAT_WRITE_FORBIDDEN");
    let members = deps.storage.chats.members(chat_id).await?;
    let Some(member) = members.iter().find(|m| m.user_id == me) else {
        return Err(forbidden());
    };
    let Some(chat) = deps.storage.chats.get(chat_id).await? else {
        return Err(forbidden());
    };
    if chat.migrated_to.is_some() {
        // Its members write in the supergroup now (as Telegram answers for such groups).
        return Err(RpcError::bad_request("PEER_ID_INVALID"));
    }
    if member.is_admin || chat.creator_id == me {
        return Ok(());
    }
    match banned_rights(&chat) {
        Some(enums::ChatBannedRights::Rights(r)) if r.send_messages => Err(forbidden()),
        Some(enums::ChatBannedRights::Rights(r)) if r.send_plain => {
            Err(RpcError::new(403, "CHAT_SEND_PLAIN_FORBIDDEN"))
        }
        _ => Ok(()),
    }
}

/// The `chat` object as `viewer` sees it; a non-member sees chatForbidden.
pub(crate) fn tl_chat(chat: &ChatRecord, viewer: i64, member: bool) -> enums::Chat {
    if !member {
        return enums::Chat::Forbidden(types::ChatForbidden {
            id: chat.id,
            title: chat.title.clone(),
        });
    }
    enums::Chat::Chat(types::Chat {
        creator: chat.creator_id == viewer,
        left: false,
        // A migrated group is shown deactivated with `migrated_to`, as Telegram does.
        deactivated: chat.deactivated || chat.migrated_to.is_some(),
        call_active: false,
        call_not_empty: false,
        noforwards: false,
        id: chat.id,
        title: chat.title.clone(),
        photo: enums::ChatPhoto::Empty,
        participants_count: chat.participants_count,
        date: tl_date(chat.date),
        version: chat.version,
        migrated_to: chat.migrated_to.map(|to| {
            enums::InputChannel::Channel(types::InputChannel {
                channel_id: to.channel_id,
                access_hash: to.access_hash,
            })
        }),
        admin_rights: None,
        default_banned_rights: banned_rights(chat),
    })
}

/// The group's default banned rights, if set.
pub(crate) fn banned_rights(chat: &ChatRecord) -> Option<enums::ChatBannedRights> {
    if chat.default_banned_rights.is_empty() {
        return None;
    }
    enums::ChatBannedRights::from_bytes(&chat.default_banned_rights).ok()
}

/// The chat objects of the group and channel peers among `peers`, as `me` sees them.
pub(crate) async fn chats_of(
    deps: &BffDeps,
    me: i64,
    peers: &[Peer],
) -> Result<Vec<enums::Chat>, RpcError> {
    let pick = |want: fn(&Peer) -> Option<i64>| {
        let mut ids: Vec<i64> = peers.iter().filter_map(want).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let ids = pick(|p| match p {
        Peer::Chat(id) => Some(*id),
        _ => None,
    });
    let mut out = Vec::new();
    if !ids.is_empty() {
        for chat in deps.storage.chats.get_many(&ids).await? {
            let member = deps.storage.chats.is_member(chat.id, me).await?;
            out.push(tl_chat(&chat, me, member));
        }
    }
    // Channels that forward headers name.
    let channels = pick(|p| match p {
        Peer::Channel(id) => Some(*id),
        _ => None,
    });
    if !channels.is_empty() {
        out.extend(crate::channels::chats_for(deps, me, &channels).await?);
    }
    Ok(out)
}

/// chatParticipants of a group (core.telegram.org/constructor/chatParticipants).
pub(crate) fn tl_participants(
    chat: &ChatRecord,
    members: &[ChatMember],
) -> enums::ChatParticipants {
    let participants = members
        .iter()
        .map(|m| {
            if m.user_id == chat.creator_id {
                enums::ChatParticipant::Creator(types::ChatParticipantCreator {
                    user_id: m.user_id,
                    rank: None,
                })
            } else if m.is_admin {
                enums::ChatParticipant::Admin(types::ChatParticipantAdmin {
                    user_id: m.user_id,
                    inviter_id: m.inviter_id,
                    date: tl_date(m.date),
                    rank: None,
                })
            } else {
                enums::ChatParticipant::Participant(types::ChatParticipant {
                    user_id: m.user_id,
                    inviter_id: m.inviter_id,
                    date: tl_date(m.date),
                    rank: None,
                })
            }
        })
        .collect();
    enums::ChatParticipants::Participants(types::ChatParticipants {
        chat_id: chat.id,
        participants,
        version: chat.version,
    })
}

/// Users as `me` sees them.
async fn users(
    deps: &BffDeps,
    ctx: &RpcContext,
    ids: &[i64],
) -> Result<Vec<enums::User>, RpcError> {
    let me = ctx.user()?;
    let mut ids = ids.to_vec();
    ids.push(me);
    ids.sort_unstable();
    ids.dedup();
    crate::contacts::view::users_by_id(deps, me, &ids, ctx.now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat() -> ChatRecord {
        ChatRecord {
            id: 5,
            creator_id: 1,
            title: "T".into(),
            about: String::new(),
            date: 10,
            version: 2,
            participants_count: 2,
            deactivated: false,
            default_banned_rights: Vec::new(),
            migrated_to: None,
        }
    }

    #[test]
    fn creator_sees_creator_flag_and_outsider_forbidden() {
        assert!(matches!(tl_chat(&chat(), 1, true), enums::Chat::Chat(c) if c.creator));
        assert!(matches!(tl_chat(&chat(), 2, true), enums::Chat::Chat(c) if !c.creator));
        assert!(matches!(
            tl_chat(&chat(), 3, false),
            enums::Chat::Forbidden(_)
        ));
    }

    #[test]
    fn participants_mark_creator_and_admins() {
        let members = [
            ChatMember {
                user_id: 1,
                inviter_id: 1,
                date: 10,
                is_admin: true,
            },
            ChatMember {
                user_id: 2,
                inviter_id: 1,
                date: 10,
                is_admin: false,
            },
        ];
        let enums::ChatParticipants::Participants(p) = tl_participants(&chat(), &members) else {
            panic!()
        };
        assert!(matches!(
            p.participants[0],
            enums::ChatParticipant::Creator(_)
        ));
        assert!(matches!(
            p.participants[1],
            enums::ChatParticipant::Participant(_)
        ));
        assert_eq!(p.version, 2);
    }
}
