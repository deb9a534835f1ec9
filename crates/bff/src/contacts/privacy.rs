//! account.getPrivacy / account.setPrivacy (core.telegram.org/api/privacy,
//! /method/account.getPrivacy, /method/account.setPrivacy) for the last-seen status and the
//! phone number. Other keys are not stored: getPrivacy answers "everybody" (what they
//! default to) and setPrivacy refuses them with PRIVACY_KEY_INVALID.

use std::sync::Arc;

use echo_storage::{PrivacyKey, PrivacyRule};
use echo_tl::{enums, functions, types};

use super::view;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;
use crate::users::resolve_user;

/// Most users one rule may list.
const RULE_USERS_MAX: usize = 1000;

pub fn register(r: &mut Router) {
    r.method(get_privacy);
    r.method(set_privacy);
}

fn stored_key(key: &enums::InputPrivacyKey) -> Option<PrivacyKey> {
    match key {
        enums::InputPrivacyKey::StatusTimestamp => Some(PrivacyKey::StatusTimestamp),
        enums::InputPrivacyKey::PhoneNumber => Some(PrivacyKey::PhoneNumber),
        _ => None,
    }
}

/// Stored rules → TL rules.
pub fn tl_rules(rules: &[PrivacyRule]) -> Vec<enums::PrivacyRule> {
    rules
        .iter()
        .map(|rule| match rule {
            PrivacyRule::AllowAll => enums::PrivacyRule::PrivacyValueAllowAll,
            PrivacyRule::AllowContacts => enums::PrivacyRule::PrivacyValueAllowContacts,
            PrivacyRule::DisallowAll => enums::PrivacyRule::PrivacyValueDisallowAll,
            PrivacyRule::DisallowContacts => enums::PrivacyRule::PrivacyValueDisallowContacts,
            PrivacyRule::AllowUsers(users) => {
                enums::PrivacyRule::PrivacyValueAllowUsers(types::PrivacyValueAllowUsers {
                    users: users.clone(),
                })
            }
            PrivacyRule::DisallowUsers(users) => {
                enums::PrivacyRule::PrivacyValueDisallowUsers(types::PrivacyValueDisallowUsers {
                    users: users.clone(),
                })
            }
            PrivacyRule::AllowChatParticipants(chats) => {
                enums::PrivacyRule::PrivacyValueAllowChatParticipants(
                    types::PrivacyValueAllowChatParticipants {
                        chats: chats.clone(),
                    },
                )
            }
            PrivacyRule::DisallowChatParticipants(chats) => {
                enums::PrivacyRule::PrivacyValueDisallowChatParticipants(
                    types::PrivacyValueDisallowChatParticipants {
                        chats: chats.clone(),
                    },
                )
            }
        })
        .collect()
}

/// Resolves the users of a rule; unknown ones and wrong access hashes are dropped.
async fn rule_users(
    deps: &BffDeps,
    inputs: &[enums::InputUser],
    me: i64,
) -> Result<Vec<i64>, RpcError> {
    if inputs.len() > RULE_USERS_MAX {
        return Err(RpcError::bad_request("USERS_TOO_MUCH"));
    }
    let mut ids = Vec::new();
    for input in inputs {
        if let Ok(user) = resolve_user(deps, input, me).await {
            if user.id != me && !ids.contains(&user.id) {
                ids.push(user.id);
            }
        }
    }
    Ok(ids)
}

/// TL input rules → stored rules. Close friends, premium and bot rules have nothing to
/// match here and are left out.
async fn stored_rules(
    deps: &BffDeps,
    inputs: &[enums::InputPrivacyRule],
    me: i64,
) -> Result<Vec<PrivacyRule>, RpcError> {
    use enums::InputPrivacyRule as In;
    let mut out = Vec::new();
    for input in inputs {
        let rule = match input {
            In::InputPrivacyValueAllowAll => PrivacyRule::AllowAll,
            In::InputPrivacyValueAllowContacts => PrivacyRule::AllowContacts,
            In::InputPrivacyValueDisallowAll => PrivacyRule::DisallowAll,
            In::InputPrivacyValueDisallowContacts => PrivacyRule::DisallowContacts,
            In::InputPrivacyValueAllowUsers(r) => {
                PrivacyRule::AllowUsers(rule_users(deps, &r.users, me).await?)
            }
            In::InputPrivacyValueDisallowUsers(r) => {
                PrivacyRule::DisallowUsers(rule_users(deps, &r.users, me).await?)
            }
            In::InputPrivacyValueAllowChatParticipants(r) => {
                PrivacyRule::AllowChatParticipants(r.chats.clone())
            }
            In::InputPrivacyValueDisallowChatParticipants(r) => {
                PrivacyRule::DisallowChatParticipants(r.chats.clone())
            }
            In::InputPrivacyValueAllowCloseFriends
            | In::InputPrivacyValueAllowPremium
            | In::InputPrivacyValueAllowBots
            | In::InputPrivacyValueDisallowBots => continue,
        };
        if !out.contains(&rule) {
            out.push(rule);
        }
    }
    Ok(out)
}

/// The answer: the rules plus every user they name, as the caller sees them.
async fn privacy_rules(
    deps: &BffDeps,
    ctx: &RpcContext,
    me: i64,
    rules: &[PrivacyRule],
) -> Result<enums::account::PrivacyRules, RpcError> {
    let mut ids = Vec::new();
    for rule in rules {
        if let PrivacyRule::AllowUsers(users) | PrivacyRule::DisallowUsers(users) = rule {
            ids.extend_from_slice(users);
        }
    }
    let users = view::users_by_id(deps, me, &ids, ctx.now).await?;
    Ok(enums::account::PrivacyRules::Rules(
        types::account::PrivacyRules {
            rules: tl_rules(rules),
            chats: Vec::new(),
            users,
        },
    ))
}

async fn get_privacy(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::account::GetPrivacy,
) -> Result<enums::account::PrivacyRules, RpcError> {
    let me = ctx.user()?;
    let rules = match stored_key(&req.key) {
        Some(key) => deps
            .storage
            .privacy
            .get_rules(me, key)
            .await?
            .unwrap_or_else(|| view::default_rules(key)),
        None => vec![PrivacyRule::AllowAll],
    };
    privacy_rules(&deps, &ctx, me, &rules).await
}

async fn set_privacy(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::account::SetPrivacy,
) -> Result<enums::account::PrivacyRules, RpcError> {
    let me = ctx.user()?;
    let key = stored_key(&req.key).ok_or_else(|| RpcError::bad_request("PRIVACY_KEY_INVALID"))?;
    let rules = stored_rules(&deps, &req.rules, me).await?;
    deps.storage
        .privacy
        .set_rules(me, key, &rules, ctx.now)
        .await?;
    let answer = privacy_rules(&deps, &ctx, me, &rules).await?;
    // The caller's other sessions learn the new rules live (updatePrivacy).
    let enums::account::PrivacyRules::Rules(r) = &answer;
    let update = enums::Updates::Updates(types::Updates {
        updates: vec![enums::Update::Privacy(types::UpdatePrivacy {
            key: match key {
                PrivacyKey::StatusTimestamp => enums::PrivacyKey::StatusTimestamp,
                PrivacyKey::PhoneNumber => enums::PrivacyKey::PhoneNumber,
            },
            rules: r.rules.clone(),
        })],
        users: r.users.clone(),
        chats: Vec::new(),
        date: tl_date(ctx.now),
        seq: 0,
    });
    deps.messaging.push(me, Some(&ctx), &update).await;
    Ok(answer)
}
