//! The service account 777000 "Telegram" (core.telegram.org/api/auth): it exists in every
//! deployment, shows as verified support, and sends login codes as a message to the
//! devices a user is already logged in on (the code type auth.sendCode calls
//! sentCodeTypeApp).

use echo_msg::SendRequest;
use echo_storage::{Peer, Storage, StorageError, UserRecord};
use echo_tl::{enums, types};

use super::view;
use crate::context::{BffDeps, RpcError};
use crate::convert::{self, SERVICE_USER_ID};
use crate::help::tl_date;

/// The service account's fixed identity. Its access hash is a constant: the account is
/// public anyway, and clients of every user must be able to address it.
pub fn service_user() -> UserRecord {
    UserRecord {
        id: SERVICE_USER_ID,
        access_hash: 0x0777_0007_7700_0777,
        phone: "42777".into(),
        first_name: "Telegram".into(),
        last_name: String::new(),
        username: None,
        about: String::new(),
        last_seen_at: 0,
        created_at: 0,
        deleted: false,
    }
}

/// Creates the service account unless it exists; `echod run` calls it at startup.
pub async fn ensure_service_user(storage: &Storage) -> Result<UserRecord, StorageError> {
    storage.service_users.ensure_user(service_user()).await
}

/// The text of a login code message, worded like Telegram's own.
fn code_text(code: &str) -> String {
    format!(
        "Login code: {code}. Do not give this code to anyone, even if they say they are \
         from Telegram!\n\nThis code can be used to log in to your account. We never ask \
         it for anything else.\n\nIf you didn't request this code by trying to log in on \
         another device, simply ignore this message."
    )
}

/// Sends `code` from 777000 into `user_id`'s box and pushes it to every session the user
/// has online. Does nothing (Ok(false)) when the user is logged in nowhere or the service
/// account is missing; the caller treats any failure as "not delivered in the app".
pub async fn deliver_login_code(
    deps: &BffDeps,
    user_id: i64,
    code: &str,
    now: i64,
) -> Result<bool, RpcError> {
    deliver_service_message(deps, user_id, &code_text(code), now).await
}

/// Sends `text` from 777000 into `user_id`'s box and pushes it to the user's online
/// sessions (login codes, new-login notices). Ok(false) when the user is logged in nowhere
/// or the service account is missing.
pub async fn deliver_service_message(
    deps: &BffDeps,
    user_id: i64,
    text: &str,
    now: i64,
) -> Result<bool, RpcError> {
    if deps
        .storage
        .authorizations
        .list_for_user(user_id)
        .await?
        .is_empty()
    {
        return Ok(false);
    }
    let Some(service) = deps.storage.users.get(SERVICE_USER_ID).await? else {
        tracing::warn!("service user 777000 missing: login code not sent in the app");
        return Ok(false);
    };
    let sent = deps
        .messaging
        .msg
        .send(SendRequest {
            from: SERVICE_USER_ID,
            to: Peer::User(user_id),
            date: now,
            message: text.to_string(),
            entities: Vec::new(),
            media: Vec::new(),
            fwd: Vec::new(),
            reply_to_msg_id: None,
            random_id: None,
            deliver: true,
            silent: false,
            grouped_id: None,
        })
        .await?;
    let Some(inbox) = sent.inbox else {
        return Ok(false);
    };
    // Full `updates` carrying the service user, so a client that never saw 777000 gets
    // its access hash along with the message.
    let users = vec![view::user_for(deps, user_id, &service, now).await?];
    let updates = enums::Updates::Updates(types::Updates {
        updates: vec![enums::Update::NewMessage(types::UpdateNewMessage {
            message: convert::message(&inbox, user_id),
            pts: inbox.pts,
            pts_count: 1,
        })],
        users,
        chats: Vec::new(),
        date: tl_date(now),
        seq: 0,
    });
    deps.messaging.push(user_id, None, &updates).await;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_text_carries_the_code() {
        assert!(code_text("12345").starts_with("Login code: 12345."));
    }

    #[test]
    fn service_identity() {
        let u = service_user();
        assert_eq!(u.id, 777_000);
        assert_eq!(u.first_name, "Telegram");
        assert!(u.id < echo_storage::FIRST_USER_ID);
    }
}
