//! Live profile changes. Status (core.telegram.org/constructor/updateUserStatus): when a
//! user goes online or offline, every user who has them as a contact gets the new status, as
//! the user's privacy rules let that contact see it. Names (updateUserName): the user's own
//! other sessions.

use echo_storage::UserRecord;
use echo_tl::{enums, types};

use super::view;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;

/// Most contacts one status change is pushed to; beyond that clients catch up from
/// contacts.getStatuses.
const STATUS_FANOUT_MAX: usize = 1000;

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
