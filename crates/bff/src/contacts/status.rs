//! Live profile changes. Status (core.telegram.org/constructor/updateUserStatus): when a
//! user goes online or offline, every user who has them as a contact gets the new status, as
//! the user's privacy rules let that contact see it. Names (updateUserName): the user's own
//! other sessions. Profile photos (core.telegram.org/constructor/updateUser, which replaced
//! updateUserPhoto in the newest layers): the user's other sessions and the users who have
//! them as a contact or a private dialog with them.

use echo_storage::{DialogQuery, Peer, UserRecord};
use echo_tl::{enums, types};

use super::view;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;

/// Most contacts one status change is pushed to; beyond that clients catch up from
/// contacts.getStatuses.
const STATUS_FANOUT_MAX: usize = 1000;

/// Private dialogs of the user whose peers hear of a new profile photo: the most recent
/// page; others see it the next time they fetch the user.
const PHOTO_DIALOGS_MAX: i32 = 100;

/// Pushes `user_id`'s current status to the users that have them in their contacts.
pub async fn push_status(deps: &BffDeps, user_id: i64, now: i64) -> Result<(), RpcError> {
    let Some(rec) = deps.storage.users.get(user_id).await? else {
        return Ok(());
    };
    let owners = deps.storage.contacts.owners_of(user_id).await?;
    for owner in owners.into_iter().take(STATUS_FANOUT_MAX) {
        let enums::User::User(seen) = view::user_for(deps, owner, &rec, now).await? else {
            continue;
        };
        let Some(status) = seen.status else {
            continue;
        };
        let update = enums::Updates::UpdateShort(types::UpdateShort {
            update: enums::Update::UserStatus(types::UpdateUserStatus { user_id, status }),
            date: tl_date(now),
        });
        deps.messaging.push(owner, None, &update).await;
    }
    Ok(())
}

/// After a profile or username change: the user's other sessions get updateUserName
/// (core.telegram.org/constructor/updateUserName) with the new names and username.
pub async fn push_own_name(deps: &BffDeps, ctx: &RpcContext, rec: &UserRecord) {
    let usernames = rec
        .username
        .iter()
        .map(|name| {
            enums::Username::Username(types::Username {
                editable: true,
                active: true,
                deletable: false,
                expired: false,
                username: name.clone(),
            })
        })
        .collect();
    let update = enums::Updates::UpdateShort(types::UpdateShort {
        update: enums::Update::UserName(types::UpdateUserName {
            user_id: rec.id,
            first_name: rec.first_name.clone(),
            last_name: rec.last_name.clone(),
            usernames,
        }),
        date: tl_date(ctx.now),
    });
    deps.messaging.push(rec.id, Some(ctx), &update).await;
}

/// Who hears live of `user_id`'s new profile photo: the users who have them as a contact
/// and the peers of their most recent private dialogs (a private dialog exists on both
/// sides), bounded; ascending, without the user themself.
async fn photo_audience(deps: &BffDeps, user_id: i64) -> Result<Vec<i64>, RpcError> {
    let mut audience = deps.storage.contacts.owners_of(user_id).await?;
    audience.truncate(STATUS_FANOUT_MAX);
    let dialogs = deps
        .storage
        .dialogs
        .list(
            user_id,
            DialogQuery {
                limit: PHOTO_DIALOGS_MAX,
                ..DialogQuery::default()
            },
        )
        .await?;
    audience.extend(dialogs.iter().filter_map(|d| match d.peer {
        Peer::User(peer) => Some(peer),
        _ => None,
    }));
    audience.sort_unstable();
    audience.dedup();
    audience.retain(|u| *u != user_id);
    Ok(audience)
}

/// After the caller's current profile photo changed (set, replaced or removed): their other
/// sessions and everyone in [`photo_audience`] get `updates` with updateUser and the user as
/// that viewer now sees them, photo included, so clients refresh it without a
/// users.getFullUser round trip.
pub async fn push_photo(deps: &BffDeps, ctx: &RpcContext) -> Result<(), RpcError> {
    let me = ctx.user()?;
    let Some(rec) = deps.storage.users.get(me).await? else {
        return Ok(());
    };
    let changed = |user: enums::User| {
        enums::Updates::Updates(types::Updates {
            updates: vec![enums::Update::User(types::UpdateUser { user_id: me })],
            users: vec![user],
            chats: Vec::new(),
            date: tl_date(ctx.now),
            seq: 0,
        })
    };
    let own = view::user_for(deps, me, &rec, ctx.now).await?;
    deps.messaging.push(me, Some(ctx), &changed(own)).await;
    for viewer in photo_audience(deps, me).await? {
        let seen = view::user_for(deps, viewer, &rec, ctx.now).await?;
        deps.messaging.push(viewer, None, &changed(seen)).await;
    }
    Ok(())
}
