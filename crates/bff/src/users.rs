//! `users.*`: looking users up (core.telegram.org/method/users.getUsers,
//! /method/users.getFullUser). An `inputUser` must carry the access hash the server gave out
//! (core.telegram.org/api/peers#access-hash); with a wrong one the user is not found.

use std::sync::Arc;

use echo_storage::UserRecord;
use echo_tl::{enums, functions, types};

use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::router::Router;

/// Most users one users.getUsers call resolves (Telegram's own limit is in this range).
const GET_USERS_MAX: usize = 200;

pub fn register(r: &mut Router) {
    r.method(get_users);
    r.method(get_full_user);
}

/// The user id an input user names, or None for inputUserEmpty and forms not supported yet
/// (inputUserFromMessage needs chats). The access hash is checked separately.
fn requested_id(input: &enums::InputUser, me: i64) -> Option<(i64, Option<i64>)> {
    match input {
        enums::InputUser::UserSelf => Some((me, None)),
        enums::InputUser::User(u) => Some((u.user_id, Some(u.access_hash))),
        enums::InputUser::Empty | enums::InputUser::FromMessage(_) => None,
    }
}

fn hash_ok(rec: &UserRecord, access_hash: Option<i64>) -> bool {
    access_hash.is_none_or(|h| h == rec.access_hash)
}

/// Resolves one input user to its record: USER_ID_INVALID when it does not exist or the
/// access hash is wrong.
pub async fn resolve_user(
    deps: &BffDeps,
    input: &enums::InputUser,
    me: i64,
) -> Result<UserRecord, RpcError> {
    let invalid = || RpcError::bad_request("USER_ID_INVALID");
    let (id, access_hash) = requested_id(input, me).ok_or_else(invalid)?;
    let rec = deps.storage.users.get(id).await?.ok_or_else(invalid)?;
    if hash_ok(&rec, access_hash) {
        Ok(rec)
    } else {
        Err(invalid())
    }
}

/// The caller's own record; a logged-in key whose user vanished is treated as logged out.
pub async fn me(deps: &BffDeps, ctx: &RpcContext) -> Result<UserRecord, RpcError> {
    let id = ctx.user()?;
    deps.storage
        .users
        .get(id)
        .await?
        .ok_or_else(RpcError::unauthorized)
}

async fn get_users(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::users::GetUsers,
) -> Result<Vec<enums::User>, RpcError> {
    let me = ctx.user()?;
    if req.id.len() > GET_USERS_MAX {
        return Err(RpcError::bad_request("LIMIT_INVALID"));
    }
    let wanted: Vec<(i64, Option<i64>)> =
        req.id.iter().filter_map(|u| requested_id(u, me)).collect();
    let ids: Vec<i64> = wanted.iter().map(|(id, _)| *id).collect();
    let found = deps.storage.users.get_many(&ids).await?;
    // Answer in request order; unknown users and wrong access hashes are simply left out.
    let shown: Vec<UserRecord> = wanted
        .iter()
        .filter_map(|(id, access_hash)| {
            let rec = found.iter().find(|r| r.id == *id)?;
            hash_ok(rec, *access_hash).then(|| rec.clone())
        })
        .collect();
    crate::contacts::view::users_for(&deps, me, &shown, ctx.now).await
}

/// Peer settings for a chat nobody acted on: no action bar.
pub fn empty_peer_settings() -> enums::PeerSettings {
    enums::PeerSettings::Settings(types::PeerSettings {
        report_spam: false,
        add_contact: false,
        block_contact: false,
        share_contact: false,
        need_contacts_exception: false,
        report_geo: false,
        autoarchived: false,
        invite_members: false,
        request_chat_broadcast: false,
        business_bot_paused: false,
        business_bot_can_reply: false,
        geo_distance: None,
        request_chat_title: None,
        request_chat_date: None,
        business_bot_id: None,
        business_bot_manage_url: None,
        charge_paid_message_stars: None,
        registration_month: None,
        phone_country: None,
        name_change_date: None,
        photo_change_date: None,
    })
}

fn user_full(rec: &UserRecord, blocked: bool) -> enums::UserFull {
    enums::UserFull::Full(types::UserFull {
        blocked,
        phone_calls_available: false,
        phone_calls_private: false,
        can_pin_message: true,
        has_scheduled: false,
        video_calls_available: false,
        voice_messages_forbidden: false,
        translations_disabled: false,
        stories_pinned_available: false,
        blocked_my_stories_from: false,
        wallpaper_overridden: false,
        contact_require_premium: false,
        read_dates_private: false,
        sponsored_enabled: false,
        can_view_revenue: false,
        bot_can_manage_emoji_status: false,
        display_gifts_button: false,
        noforwards_my_enabled: false,
        noforwards_peer_enabled: false,
        unofficial_security_risk: false,
        id: rec.id,
        about: (!rec.about.is_empty()).then(|| rec.about.clone()),
        settings: empty_peer_settings(),
        personal_photo: None,
        profile_photo: None,
        fallback_photo: None,
        notify_settings: convert::default_notify_settings(),
        bot_info: None,
        pinned_msg_id: None,
        common_chats_count: 0,
        folder_id: None,
        ttl_period: None,
        theme: None,
        private_forward_name: None,
        bot_group_admin_rights: None,
        bot_broadcast_admin_rights: None,
        wallpaper: None,
        stories: None,
        business_work_hours: None,
        business_location: None,
        business_greeting_message: None,
        business_away_message: None,
        business_intro: None,
        birthday: None,
        personal_channel_id: None,
        personal_channel_message: None,
        stargifts_count: None,
        starref_program: None,
        bot_verification: None,
        send_paid_messages_stars: None,
        disallowed_gifts: None,
        stars_rating: None,
        stars_my_pending_rating: None,
        stars_my_pending_rating_date: None,
        main_tab: None,
        saved_music: None,
        note: None,
        bot_manager_id: None,
    })
}

async fn get_full_user(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::users::GetFullUser,
) -> Result<enums::users::UserFull, RpcError> {
    let me = ctx.user()?;
    let rec = resolve_user(&deps, &req.id, me).await?;
    let blocked = rec.id != me && deps.storage.blocks.is_blocked(me, rec.id).await?;
    let mut full_user = user_full(&rec, blocked);
    let enums::UserFull::Full(full) = &mut full_user;
    full.profile_photo = crate::photos::current_photo(&deps, echo_storage::Peer::User(rec.id))
        .await?
        .as_ref()
        .map(crate::media_tl::photo);
    Ok(enums::users::UserFull::Full(types::users::UserFull {
        full_user,
        chats: Vec::new(),
        users: vec![crate::contacts::view::user_for(&deps, me, &rec, ctx.now).await?],
    }))
}
