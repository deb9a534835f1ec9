//! Join requests and link importers of supergroups and channels
//! (core.telegram.org/api/invites#join-requests, /method/messages.getChatInviteImporters,
//! /method/messages.hideChatJoinRequest, /method/messages.hideAllChatJoinRequests,
//! /constructor/updatePendingJoinRequests).
//!
//! A link with `request_needed` turns importChatInvite into a pending request
//! (`crate::channels::invites`); admins who may invite users see the pending count and the
//! newest requesters live (updatePendingJoinRequests) and in channelFull, list the requests
//! and the users who joined through each link, and approve or decline them one by one or
//! all at once.

use std::sync::Arc;

use echo_storage::{InviteImporterRecord, JoinRequestRecord, ParticipantFilter, UserRecord};
use echo_tl::{enums, functions, types};

use super::invites::{hash_of, link_admin_access};
use super::manage::{channel_changed, fresh, mark_read};
use super::post::publish;
use super::rights::admin_rights;
use super::view::tl_channel;
use super::Access;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;
use crate::users::resolve_user;

/// How many of the newest requesters channelFull and updatePendingJoinRequests name.
const RECENT_REQUESTERS: usize = 3;
/// Most importers one getChatInviteImporters page returns (Telegram's bound).
const IMPORTERS_PAGE_MAX: usize = 100;
/// Most importers counted for one link.
const IMPORTERS_COUNT_MAX: usize = 100_000;

pub fn register(r: &mut Router) {
    r.method(get_chat_invite_importers);
    r.method(hide_chat_join_request);
    r.method(hide_all_chat_join_requests);
}

/// The pending requests as channelFull shows them to `access`'s caller: nothing unless the
/// caller may invite users, else the count and the newest requesters.
pub(super) async fn pending_summary(
    deps: &BffDeps,
    access: &Access,
) -> Result<(Option<i32>, Option<Vec<i64>>), RpcError> {
    if !super::rights::has_admin_right(access, |r| r.invite_users) {
        return Ok((None, None));
    }
    let requests = deps
        .storage
        .channels
        .join_requests(access.channel.id)
        .await?;
    if requests.is_empty() {
        return Ok((None, None));
    }
    let (count, recent) = summary(&requests);
    Ok((Some(count), Some(recent)))
}

fn summary(requests: &[JoinRequestRecord]) -> (i32, Vec<i64>) {
    let count = i32::try_from(requests.len()).unwrap_or(i32::MAX);
    // Stored oldest first; the newest requesters come first.
    let recent = requests
        .iter()
        .rev()
        .take(RECENT_REQUESTERS)
        .map(|r| r.user_id)
        .collect();
    (count, recent)
}

/// Tells every admin of the channel who may invite users how many requests are pending
/// now (updatePendingJoinRequests), after a request came in or was settled.
pub(super) async fn push_pending(
    deps: &BffDeps,
    ctx: &RpcContext,
    channel_id: i64,
) -> Result<(), RpcError> {
    let store = &deps.storage.channels;
    let Some(channel) = store.get(channel_id).await? else {
        return Ok(());
    };
    let requests = store.join_requests(channel_id).await?;
    let (count, recent) = summary(&requests);
    let (admins, _) = store
        .participants(channel_id, &ParticipantFilter::Admins, 0, 10_000)
        .await?;
    for admin in admins {
        if !admin_rights(&admin).is_some_and(|r| r.invite_users) {
            continue;
        }
        let updates = enums::Updates::Updates(types::Updates {
            updates: vec![enums::Update::PendingJoinRequests(
                types::UpdatePendingJoinRequests {
                    peer: enums::Peer::Channel(types::PeerChannel { channel_id }),
                    requests_pending: count,
                    recent_requesters: recent.clone(),
                },
            )],
            users: crate::contacts::view::users_by_id(deps, admin.user_id, &recent, ctx.now)
                .await?,
            chats: vec![tl_channel(&channel, Some(&admin))],
            date: tl_date(ctx.now),
            seq: 0,
        });
        deps.messaging.push(admin.user_id, None, &updates).await;
    }
    Ok(())
}

fn cursor_user(me: i64, input: &enums::InputUser) -> i64 {
    match input {
        enums::InputUser::User(u) => u.user_id,
        enums::InputUser::UserSelf => me,
        enums::InputUser::FromMessage(u) => u.user_id,
        enums::InputUser::Empty => 0,
    }
}

fn matches(user: Option<&UserRecord>, q: &str) -> bool {
    let Some(user) = user else { return false };
    let q = q.to_lowercase();
    [
        Some(user.first_name.as_str()),
        Some(user.last_name.as_str()),
        user.username.as_deref(),
    ]
    .into_iter()
    .flatten()
    .any(|field| field.to_lowercase().contains(&q))
}

async fn get_chat_invite_importers(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::GetChatInviteImporters,
) -> Result<enums::messages::ChatInviteImporters, RpcError> {
    let me = ctx.user()?;
    let access = link_admin_access(&deps, &ctx, &req.peer).await?;
    let channel_id = access.channel.id;
    let q = req.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some() && (req.link.is_some() || !req.requested) {
        return Err(RpcError::bad_request("SEARCH_WITH_LINK_NOT_SUPPORTED"));
    }
    let hash = match req.link.as_deref() {
        None => None,
        Some(link) => {
            let hash = hash_of(link);
            match deps.storage.channels.invite(hash).await? {
                Some(invite) if invite.channel_id == channel_id => Some(invite.hash),
                _ => return Err(RpcError::bad_request("INVITE_HASH_EXPIRED")),
            }
        }
    };
    let limit = usize::try_from(req.limit)
        .unwrap_or(0)
        .min(IMPORTERS_PAGE_MAX);
    let before = (req.offset_date > 0).then(|| {
        (
            i64::from(req.offset_date),
            cursor_user(me, &req.offset_user),
        )
    });
    let (count, page) = if req.requested {
        requested_page(&deps, channel_id, hash.as_deref(), q, before, limit).await?
    } else {
        let store = &deps.storage.channels;
        let all = store
            .invite_importers(channel_id, hash.as_deref(), None, IMPORTERS_COUNT_MAX)
            .await?;
        let page = store
            .invite_importers(channel_id, hash.as_deref(), before, limit)
            .await?;
        (all.len(), page)
    };
    let mut ids: Vec<i64> = page.iter().map(|i| i.user_id).collect();
    ids.extend(page.iter().map(|i| i.approved_by).filter(|id| *id != 0));
    ids.sort_unstable();
    ids.dedup();
    let importers = page
        .iter()
        .map(|i| {
            enums::ChatInviteImporter::Importer(types::ChatInviteImporter {
                requested: req.requested,
                via_chatlist: false,
                user_id: i.user_id,
                date: tl_date(i.date),
                about: None,
                approved_by: (i.approved_by != 0).then_some(i.approved_by),
            })
        })
        .collect();
    Ok(enums::messages::ChatInviteImporters::Importers(
        types::messages::ChatInviteImporters {
            count: i32::try_from(count).unwrap_or(i32::MAX),
            importers,
            users: crate::contacts::view::users_by_id(&deps, me, &ids, ctx.now).await?,
        },
    ))
}

/// Pending requests, newest first, as importer records (approved_by 0), filtered by link
/// and name; the count is of every match, the page starts after the cursor.
async fn requested_page(
    deps: &BffDeps,
    channel_id: i64,
    hash: Option<&str>,
    q: Option<&str>,
    before: Option<(i64, i64)>,
    limit: usize,
) -> Result<(usize, Vec<InviteImporterRecord>), RpcError> {
    let mut requests = deps.storage.channels.join_requests(channel_id).await?;
    requests.retain(|r| hash.is_none_or(|h| r.invite_hash == h));
    if let Some(q) = q {
        let ids: Vec<i64> = requests.iter().map(|r| r.user_id).collect();
        let users = deps.storage.users.get_many(&ids).await?;
        requests.retain(|r| matches(users.iter().find(|u| u.id == r.user_id), q));
    }
    requests.sort_by_key(|r| std::cmp::Reverse((r.date, r.user_id)));
    let count = requests.len();
    let page = requests
        .into_iter()
        .filter(|r| before.is_none_or(|cursor| (r.date, r.user_id) < cursor))
        .take(limit)
        .map(|r| InviteImporterRecord {
            channel_id,
            hash: r.invite_hash,
            user_id: r.user_id,
            date: r.date,
            approved_by: 0,
        })
        .collect();
    Ok((count, page))
}

async fn hide_chat_join_request(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::HideChatJoinRequest,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let access = link_admin_access(&deps, &ctx, &req.peer).await?;
    let user = resolve_user(&deps, &req.user_id, me).await?;
    let Some(request) = deps
        .storage
        .channels
        .join_request(access.channel.id, user.id)
        .await?
    else {
        return Err(RpcError::bad_request("HIDE_REQUESTER_MISSING"));
    };
    let answer = settle(&deps, &ctx, &access, request, req.approved).await?;
    push_pending(&deps, &ctx, access.channel.id).await?;
    Ok(answer)
}

async fn hide_all_chat_join_requests(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::HideAllChatJoinRequests,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let access = link_admin_access(&deps, &ctx, &req.peer).await?;
    let channel_id = access.channel.id;
    let hash = req.link.as_deref().map(hash_of);
    let mut requests = deps.storage.channels.join_requests(channel_id).await?;
    requests.retain(|r| hash.is_none_or(|h| r.invite_hash == h));
    let mut merged = types::Updates {
        updates: Vec::new(),
        users: Vec::new(),
        chats: Vec::new(),
        date: tl_date(ctx.now),
        seq: 0,
    };
    for request in requests {
        if let enums::Updates::Updates(u) =
            settle(&deps, &ctx, &access, request, req.approved).await?
        {
            merged.updates.extend(u.updates);
            merged.users.extend(u.users);
        }
    }
    push_pending(&deps, &ctx, channel_id).await?;
    // The channel as the caller sees it now (counters moved), once.
    merged.chats = vec![{
        let now = fresh(&deps, me, channel_id).await?;
        tl_channel(&now.channel, now.me.as_ref())
    }];
    if merged.updates.is_empty() {
        merged
            .updates
            .push(super::manage::update_channel(channel_id));
    }
    Ok(enums::Updates::Updates(merged))
}

/// Approves or declines one pending request. An approval makes the user a member (a
/// supergroup announces it with messageActionChatJoinedByRequest), records who approved
/// it for getChatInviteImporters and tells the new member about the channel.
async fn settle(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    request: JoinRequestRecord,
    approved: bool,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let channel_id = access.channel.id;
    let user_id = request.user_id;
    let store = &deps.storage.channels;
    store.remove_join_request(channel_id, user_id).await?;
    if !approved {
        return Ok(channel_changed(
            &fresh(deps, me, channel_id).await?,
            ctx.now,
        ));
    }
    let hide = access.channel.pre_history_hidden && access.channel.megagroup;
    if !store.join(channel_id, user_id, me, ctx.now, hide).await? {
        return Err(RpcError::bad_request("USER_ALREADY_PARTICIPANT"));
    }
    store
        .add_invite_importer(InviteImporterRecord {
            channel_id,
            hash: request.invite_hash,
            user_id,
            date: ctx.now,
            approved_by: me,
        })
        .await?;
    // The new member learns about the channel whichever kind it is.
    let theirs = fresh(deps, user_id, channel_id).await?;
    deps.messaging
        .push(user_id, None, &channel_changed(&theirs, ctx.now))
        .await;
    if !access.channel.megagroup {
        // A broadcast announces nothing.
        return Ok(channel_changed(
            &fresh(deps, me, channel_id).await?,
            ctx.now,
        ));
    }
    let action = enums::MessageAction::ChatJoinedByRequest;
    let now = fresh(deps, me, channel_id).await?;
    let message = echo_storage::NewChannelMessage {
        from_id: user_id,
        date: ctx.now,
        action: echo_tl::Serializable::to_bytes(&action),
        ..Default::default()
    };
    let answer = publish(deps, ctx, &now, message, Vec::new()).await?;
    mark_read(deps, channel_id, &[user_id]).await?;
    Ok(answer)
}
