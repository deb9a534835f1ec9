//! Reading a channel's profile and members: core.telegram.org/method/channels.getChannels,
//! /method/channels.getFullChannel (channelFull), /method/channels.getParticipants
//! (/type/ChannelParticipantsFilter), /method/channels.getParticipant.

use std::sync::Arc;

use echo_storage::{ChannelParticipantRecord, ChannelRole, ParticipantFilter};
use echo_tl::{enums, functions, types};

use super::rights::{admin_rights, banned_rights, has_admin_right, require_admin_right};
use super::view::tl_channel;
use super::{access_input, Access};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::help::tl_date;
use crate::router::Router;

/// Most participants one getParticipants page returns (Telegram's limit).
const PARTICIPANTS_PAGE_MAX: i64 = 200;

pub fn register(r: &mut Router) {
    r.method(get_channels);
    r.method(get_full_channel);
    r.method(get_participants);
    r.method(get_participant);
}

async fn get_channels(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::GetChannels,
) -> Result<enums::messages::Chats, RpcError> {
    let mut chats = Vec::new();
    for input in &req.id {
        let access = access_input(&deps, &ctx, input).await?;
        chats.push(tl_channel(&access.channel, access.me.as_ref()));
    }
    Ok(enums::messages::Chats::Chats(types::messages::Chats {
        chats,
    }))
}

async fn get_full_channel(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::GetFullChannel,
) -> Result<enums::messages::ChatFull, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    // Members, and outsiders of a public channel (who see it as `left`).
    let mine = match access.member() {
        Ok(mine) => mine.clone(),
        Err(e) => super::public::outsider_view(&access.channel, access.me.as_ref()).ok_or(e)?,
    };
    let channel = &access.channel;
    let store = &deps.storage.channels;
    let (_, admins_count) = store
        .participants(channel.id, &ParticipantFilter::Admins, 0, 0)
        .await?;
    let is_admin = mine.role.is_admin();
    let (kicked, banned) = if has_admin_right(&access, |r| r.ban_users) {
        let (_, kicked) = store
            .participants(channel.id, &ParticipantFilter::Kicked(String::new()), 0, 0)
            .await?;
        let (_, banned) = store
            .participants(channel.id, &ParticipantFilter::Banned(String::new()), 0, 0)
            .await?;
        (Some(kicked), Some(banned))
    } else {
        (None, None)
    };
    let unread = store
        .unread_count(
            channel.id,
            me,
            mine.read_inbox_max_id.max(mine.available_min_id),
        )
        .await?;
    let (requests_pending, recent_requesters) =
        super::requests::pending_summary(&deps, &access).await?;
    let mut user_ids = recent_requesters.clone().unwrap_or_default();
    user_ids.push(me);
    let count = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
    let migrated_from = super::migrated::migrated_from(&deps, me, channel).await?;
    let full = enums::ChatFull::ChannelFull(types::ChannelFull {
        can_view_participants: channel.megagroup || is_admin,
        can_set_username: mine.role == ChannelRole::Creator,
        can_set_stickers: false,
        hidden_prehistory: channel.pre_history_hidden,
        can_set_location: false,
        has_scheduled: false,
        can_view_stats: false,
        blocked: false,
        can_delete_channel: mine.role == ChannelRole::Creator,
        antispam: false,
        participants_hidden: false,
        translations_disabled: false,
        stories_pinned_available: false,
        view_forum_as_messages: false,
        restricted_sponsored: false,
        can_view_revenue: false,
        paid_media_allowed: false,
        can_view_stars_revenue: false,
        paid_reactions_available: false,
        stargifts_available: false,
        paid_messages_available: false,
        has_welcome_messages: false,
        id: channel.id,
        about: channel.about.clone(),
        participants_count: Some(channel.participants_count),
        admins_count: Some(count(admins_count)),
        kicked_count: kicked.map(count),
        banned_count: banned.map(count),
        online_count: None,
        read_inbox_max_id: mine.read_inbox_max_id,
        read_outbox_max_id: mine.read_outbox_max_id,
        unread_count: unread,
        chat_photo: super::photo::full_photo(&deps, &access).await?,
        notify_settings: convert::default_notify_settings(),
        exported_invite: None,
        bot_info: Vec::new(),
        migrated_from_chat_id: migrated_from.as_ref().map(|m| m.chat_id),
        migrated_from_max_id: migrated_from.as_ref().map(|m| m.max_id),
        pinned_msg_id: super::pins::pinned_msg_id(&deps, &access).await?,
        stickerset: None,
        available_min_id: (mine.available_min_id > 0).then_some(mine.available_min_id),
        folder_id: None,
        linked_chat_id: None,
        location: None,
        slowmode_seconds: (channel.slowmode_seconds > 0).then_some(channel.slowmode_seconds),
        slowmode_next_send_date: None,
        stats_dc: None,
        pts: channel.pts,
        call: None,
        ttl_period: None,
        pending_suggestions: None,
        groupcall_default_join_as: None,
        theme_emoticon: None,
        requests_pending,
        recent_requesters,
        default_send_as: None,
        available_reactions: None,
        reactions_limit: None,
        stories: None,
        wallpaper: None,
        boosts_applied: None,
        boosts_unrestrict: None,
        emojiset: None,
        bot_verification: None,
        stargifts_count: None,
        send_paid_messages_stars: None,
        main_tab: None,
        guard_bot_id: None,
    });
    Ok(enums::messages::ChatFull::Full(types::messages::ChatFull {
        full_chat: full,
        chats: std::iter::once(tl_channel(channel, Some(&mine)))
            .chain(migrated_from.map(|m| m.chat))
            .collect(),
        users: crate::contacts::view::users_by_id(&deps, me, &user_ids, ctx.now).await?,
    }))
}

/// Users a participant row names: the member and whoever invited, promoted or banned them
/// (clients look every one of them up in the answer's `users`).
fn participant_users(p: &ChannelParticipantRecord) -> Vec<i64> {
    [p.user_id, p.inviter_id, p.promoted_by, p.kicked_by]
        .into_iter()
        .filter(|id| *id != 0)
        .collect()
}

/// A participant row as `viewer` sees it (core.telegram.org/type/ChannelParticipant).
fn tl_participant(
    p: &ChannelParticipantRecord,
    viewer: i64,
    viewer_is_creator: bool,
) -> enums::ChannelParticipant {
    let peer = convert::peer(echo_storage::Peer::User(p.user_id));
    match p.role {
        ChannelRole::Creator => {
            enums::ChannelParticipant::Creator(types::ChannelParticipantCreator {
                user_id: p.user_id,
                admin_rights: enums::ChatAdminRights::Rights(super::rights::creator_rights()),
                rank: p.rank.clone(),
            })
        }
        ChannelRole::Admin => enums::ChannelParticipant::Admin(types::ChannelParticipantAdmin {
            can_edit: viewer_is_creator || p.promoted_by == viewer,
            is_self: p.user_id == viewer,
            user_id: p.user_id,
            inviter_id: (p.user_id == viewer).then_some(p.inviter_id),
            promoted_by: p.promoted_by,
            date: tl_date(p.date),
            admin_rights: enums::ChatAdminRights::Rights(
                admin_rights(p).unwrap_or_else(super::rights::creator_rights),
            ),
            rank: p.rank.clone(),
        }),
        // A restricted member (see echo_storage::channel_moderation).
        ChannelRole::Member if !p.banned_rights.is_empty() => match banned_rights(&p.banned_rights)
        {
            Some(rights) => enums::ChannelParticipant::Banned(types::ChannelParticipantBanned {
                left: false,
                peer,
                kicked_by: p.kicked_by,
                date: tl_date(p.date),
                banned_rights: enums::ChatBannedRights::Rights(rights),
                rank: None,
            }),
            None => enums::ChannelParticipant::Participant(types::ChannelParticipant {
                user_id: p.user_id,
                date: tl_date(p.date),
                subscription_until_date: None,
                rank: p.rank.clone(),
            }),
        },
        ChannelRole::Member if p.user_id == viewer => {
            enums::ChannelParticipant::ParticipantSelf(types::ChannelParticipantSelf {
                via_request: false,
                user_id: p.user_id,
                inviter_id: p.inviter_id,
                date: tl_date(p.date),
                subscription_until_date: None,
                rank: p.rank.clone(),
            })
        }
        ChannelRole::Member => enums::ChannelParticipant::Participant(types::ChannelParticipant {
            user_id: p.user_id,
            date: tl_date(p.date),
            subscription_until_date: None,
            rank: p.rank.clone(),
        }),
        ChannelRole::Banned => match banned_rights(&p.banned_rights) {
            Some(rights) => enums::ChannelParticipant::Banned(types::ChannelParticipantBanned {
                left: false,
                peer,
                kicked_by: p.kicked_by,
                date: tl_date(p.date),
                banned_rights: enums::ChatBannedRights::Rights(rights),
                rank: None,
            }),
            None => enums::ChannelParticipant::Left(types::ChannelParticipantLeft { peer }),
        },
        ChannelRole::Left => {
            enums::ChannelParticipant::Left(types::ChannelParticipantLeft { peer })
        }
    }
}

fn is_creator(access: &Access) -> bool {
    access
        .me
        .as_ref()
        .is_some_and(|p| p.role == ChannelRole::Creator)
}

async fn get_participants(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::GetParticipants,
) -> Result<enums::channels::ChannelParticipants, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    access.member()?;
    if access.channel.broadcast {
        // Subscribers of a broadcast are visible to its admins only.
        require_admin_right(&access, |_| true)?;
    }
    let search = |q: &str| {
        if q.is_empty() {
            ParticipantFilter::Recent
        } else {
            ParticipantFilter::Search(q.to_owned())
        }
    };
    let filter = match &req.filter {
        enums::ChannelParticipantsFilter::ChannelParticipantsRecent => ParticipantFilter::Recent,
        enums::ChannelParticipantsFilter::ChannelParticipantsAdmins => ParticipantFilter::Admins,
        enums::ChannelParticipantsFilter::ChannelParticipantsSearch(f) => search(&f.q),
        enums::ChannelParticipantsFilter::ChannelParticipantsMentions(f) => {
            search(f.q.as_deref().unwrap_or_default())
        }
        enums::ChannelParticipantsFilter::ChannelParticipantsKicked(f) => {
            require_admin_right(&access, |r| r.ban_users)?;
            ParticipantFilter::Kicked(f.q.clone())
        }
        enums::ChannelParticipantsFilter::ChannelParticipantsBanned(f) => {
            require_admin_right(&access, |r| r.ban_users)?;
            ParticipantFilter::Banned(f.q.clone())
        }
        // No bots exist on this server.
        enums::ChannelParticipantsFilter::ChannelParticipantsBots => {
            return Ok(participants_answer(0, Vec::new(), Vec::new()));
        }
        enums::ChannelParticipantsFilter::ChannelParticipantsContacts(f) => {
            let (list, _) = deps
                .storage
                .channels
                .participants(access.channel.id, &search(&f.q), 0, 10_000)
                .await?;
            let contacts: Vec<i64> = deps
                .storage
                .contacts
                .list(me)
                .await?
                .iter()
                .map(|c| c.contact_id)
                .collect();
            let list: Vec<_> = list
                .into_iter()
                .filter(|p| contacts.contains(&p.user_id))
                .collect();
            return render(&deps, &ctx, &access, list.len() as i64, list).await;
        }
    };
    let limit = i64::from(req.limit).clamp(0, PARTICIPANTS_PAGE_MAX);
    let (list, total) = deps
        .storage
        .channels
        .participants(
            access.channel.id,
            &filter,
            i64::from(req.offset.max(0)),
            limit,
        )
        .await?;
    render(&deps, &ctx, &access, total, list).await
}

async fn render(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    total: i64,
    list: Vec<ChannelParticipantRecord>,
) -> Result<enums::channels::ChannelParticipants, RpcError> {
    let me = ctx.user()?;
    let creator = is_creator(access);
    let ids: Vec<i64> = list.iter().flat_map(participant_users).collect();
    let participants = list
        .iter()
        .map(|p| tl_participant(p, me, creator))
        .collect();
    let users = crate::contacts::view::users_by_id(deps, me, &ids, ctx.now).await?;
    Ok(participants_answer(total, participants, users))
}

fn participants_answer(
    total: i64,
    participants: Vec<enums::ChannelParticipant>,
    users: Vec<enums::User>,
) -> enums::channels::ChannelParticipants {
    enums::channels::ChannelParticipants::Participants(types::channels::ChannelParticipants {
        count: i32::try_from(total).unwrap_or(i32::MAX),
        participants,
        chats: Vec::new(),
        users,
    })
}

async fn get_participant(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::GetParticipant,
) -> Result<enums::channels::ChannelParticipant, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    access.member()?;
    let user_id = match &req.participant {
        enums::InputPeer::PeerSelf => me,
        enums::InputPeer::User(u) => {
            let input = enums::InputUser::User(types::InputUser {
                user_id: u.user_id,
                access_hash: u.access_hash,
            });
            crate::users::resolve_user(&deps, &input, me).await?.id
        }
        _ => return Err(RpcError::bad_request("PARTICIPANT_ID_INVALID")),
    };
    let row = deps
        .storage
        .channels
        .participant(access.channel.id, user_id)
        .await?
        .filter(|p| p.role != ChannelRole::Left)
        .ok_or_else(|| RpcError::bad_request("USER_NOT_PARTICIPANT"))?;
    let mut ids = participant_users(&row);
    ids.push(me);
    let users = crate::contacts::view::users_by_id(&deps, me, &ids, ctx.now).await?;
    Ok(enums::channels::ChannelParticipant::Participant(
        types::channels::ChannelParticipant {
            participant: tl_participant(&row, me, is_creator(&access)),
            chats: vec![tl_channel(&access.channel, access.me.as_ref())],
            users,
        },
    ))
}
