//! Per-viewer `user` objects (core.telegram.org/constructor/user, /api/privacy): the
//! `contact` / `mutual_contact` flags and saved names from the viewer's address book, the
//! phone number and last-seen time only as the user's privacy rules allow, and neither to
//! someone the user blocked.

use std::collections::HashMap;

use echo_storage::{ContactRelation, PrivacyKey, PrivacyRule, UserRecord};
use echo_tl::{enums, types};

use crate::context::{BffDeps, RpcError};
use crate::convert::{self, UserView};

/// Status privacy when the user never set it: everybody sees it.
pub fn default_rules(key: PrivacyKey) -> Vec<PrivacyRule> {
    match key {
        PrivacyKey::StatusTimestamp => vec![PrivacyRule::AllowAll],
        PrivacyKey::PhoneNumber => vec![PrivacyRule::AllowContacts],
    }
}

/// Whether `rules` let `viewer` see the value. Exceptions for named users win over the
/// contacts rules, which win over allow/disallow all; nothing matching means no.
/// `viewer_is_contact`: the rules' owner has the viewer in their contacts.
pub fn allows(rules: &[PrivacyRule], viewer: i64, viewer_is_contact: bool) -> bool {
    let named = |allow: bool| {
        rules.iter().any(|r| match r {
            PrivacyRule::AllowUsers(ids) if allow => ids.contains(&viewer),
            PrivacyRule::DisallowUsers(ids) if !allow => ids.contains(&viewer),
            _ => false,
        })
    };
    if named(false) {
        return false;
    }
    if named(true) {
        return true;
    }
    if viewer_is_contact {
        if rules.contains(&PrivacyRule::DisallowContacts) {
            return false;
        }
        if rules.contains(&PrivacyRule::AllowContacts) {
            return true;
        }
    }
    if rules.contains(&PrivacyRule::DisallowAll) {
        return false;
    }
    rules.contains(&PrivacyRule::AllowAll)
}

/// What a viewer not allowed to see the last-seen time gets instead: an approximation
/// (core.telegram.org/api/privacy, userStatusRecently / LastWeek / LastMonth).
pub fn approximate_status(last_seen_at: i64, now: i64) -> enums::UserStatus {
    const DAY: i64 = 24 * 3600;
    let ago = now - last_seen_at;
    if last_seen_at <= 0 || ago <= 3 * DAY {
        enums::UserStatus::Recently(types::UserStatusRecently { by_me: false })
    } else if ago <= 7 * DAY {
        enums::UserStatus::LastWeek(types::UserStatusLastWeek { by_me: false })
    } else if ago <= 30 * DAY {
        enums::UserStatus::LastMonth(types::UserStatusLastMonth { by_me: false })
    } else {
        enums::UserStatus::Empty
    }
}

/// What the viewer gets to know about one user, beyond the record itself.
#[derive(Clone, Debug, Default)]
pub struct Facts<'a> {
    pub relation: Option<&'a ContactRelation>,
    /// The user's rules (None: defaults).
    pub status_rules: Option<&'a Vec<PrivacyRule>>,
    pub phone_rules: Option<&'a Vec<PrivacyRule>>,
    /// The user blocked the viewer: no last-seen time, no phone.
    pub blocked_viewer: bool,
}

/// Builds one view from what the viewer may know.
pub fn view_of(rec: &UserRecord, viewer: i64, facts: Facts<'_>, now: i64) -> UserView {
    if rec.id == viewer {
        let mut view = UserView::stranger(rec, now);
        view.phone = true;
        return view;
    }
    let Facts {
        relation,
        status_rules,
        phone_rules,
        blocked_viewer,
    } = facts;
    let relation = relation.cloned().unwrap_or_default();
    let saved = relation.saved.as_ref();
    let status_rules = status_rules
        .cloned()
        .unwrap_or_else(|| default_rules(PrivacyKey::StatusTimestamp));
    let phone_rules = phone_rules
        .cloned()
        .unwrap_or_else(|| default_rules(PrivacyKey::PhoneNumber));
    let status = if blocked_viewer {
        // "Last seen a long time ago", as Telegram shows people who blocked you.
        enums::UserStatus::Empty
    } else if allows(&status_rules, viewer, relation.reverse) {
        convert::user_status(rec.last_seen_at, now)
    } else {
        approximate_status(rec.last_seen_at.min(now), now)
    };
    UserView {
        contact: saved.is_some(),
        mutual: saved.is_some_and(|c| c.mutual),
        saved_names: saved.map(|c| (c.first_name.clone(), c.last_name.clone())),
        phone: saved.is_some_and(|c| c.knows_phone)
            || (!blocked_viewer
                && (relation.shares_phone || allows(&phone_rules, viewer, relation.reverse))),
        status,
    }
}

/// `recs` as `viewer` sees them, in the same order.
pub async fn users_for(
    deps: &BffDeps,
    viewer: i64,
    recs: &[UserRecord],
    now: i64,
) -> Result<Vec<enums::User>, RpcError> {
    let others: Vec<i64> = recs
        .iter()
        .map(|r| r.id)
        .filter(|id| *id != viewer)
        .collect();
    let (relations, status_rules, phone_rules, blockers) = if others.is_empty() {
        (HashMap::new(), HashMap::new(), HashMap::new(), Vec::new())
    } else {
        let privacy = &deps.storage.privacy;
        (
            deps.storage.contacts.relations(viewer, &others).await?,
            privacy
                .get_rules_many(&others, PrivacyKey::StatusTimestamp)
                .await?,
            privacy
                .get_rules_many(&others, PrivacyKey::PhoneNumber)
                .await?,
            deps.storage.blocks.blocked_by(&others, viewer).await?,
        )
    };
    let mut users: Vec<enums::User> = recs
        .iter()
        .map(|rec| {
            let facts = Facts {
                relation: relations.get(&rec.id),
                status_rules: status_rules.get(&rec.id),
                phone_rules: phone_rules.get(&rec.id),
                blocked_viewer: blockers.binary_search(&rec.id).is_ok(),
            };
            convert::user_viewed(rec, viewer, &view_of(rec, viewer, facts, now))
        })
        .collect();
    crate::photos::attach_user_photos(deps, &mut users).await?;
    Ok(users)
}

/// One user as `viewer` sees it.
pub async fn user_for(
    deps: &BffDeps,
    viewer: i64,
    rec: &UserRecord,
    now: i64,
) -> Result<enums::User, RpcError> {
    let mut users = users_for(deps, viewer, std::slice::from_ref(rec), now).await?;
    users.pop().ok_or_else(RpcError::internal)
}

/// The users with `ids` that exist, as `viewer` sees them (ascending id).
pub async fn users_by_id(
    deps: &BffDeps,
    viewer: i64,
    ids: &[i64],
    now: i64,
) -> Result<Vec<enums::User>, RpcError> {
    let recs = deps.storage.users.get_many(ids).await?;
    users_for(deps, viewer, &recs, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_precedence() {
        use PrivacyRule::*;
        assert!(allows(&[AllowAll], 5, false));
        assert!(!allows(&[DisallowAll], 5, true));
        assert!(allows(&[AllowContacts, DisallowAll], 5, true));
        assert!(!allows(&[AllowContacts, DisallowAll], 5, false));
        assert!(!allows(&[AllowAll, DisallowUsers(vec![5])], 5, true));
        assert!(allows(&[DisallowAll, AllowUsers(vec![5])], 5, false));
        assert!(!allows(&[AllowAll, DisallowContacts], 5, true));
        assert!(!allows(&[], 5, true));
    }

    #[test]
    fn approximate_statuses() {
        let now = 100 * 86_400;
        assert!(matches!(
            approximate_status(now - 60, now),
            enums::UserStatus::Recently(_)
        ));
        assert!(matches!(
            approximate_status(now - 5 * 86_400, now),
            enums::UserStatus::LastWeek(_)
        ));
        assert!(matches!(
            approximate_status(now - 20 * 86_400, now),
            enums::UserStatus::LastMonth(_)
        ));
        assert!(matches!(
            approximate_status(now - 90 * 86_400, now),
            enums::UserStatus::Empty
        ));
    }
}
