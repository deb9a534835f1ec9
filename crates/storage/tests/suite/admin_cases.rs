//! Admin queries (migration 0004): paging and search, bans, account deletion, pending codes.

use anyhow::Result;
use echo_storage::{PhoneCodeRecord, StorageError, UserListQuery};

use crate::harness::Ctx;
use crate::user_cases::new_user;

pub async fn admin_list_search_and_ban(ctx: Ctx) -> Result<()> {
    let s = &ctx.storage;
    let ann = s.users.create(new_user("15550001", "Ann")).await?;
    let bob = s.users.create(new_user("15550002", "Bob_50%")).await?;
    let cid = s.users.create(new_user("4915550003", "Cid")).await?;
    s.users
        .set_username(cid.id, Some("CidTheKid".into()))
        .await?;

    let page = |after_id, limit, search: Option<&str>| UserListQuery {
        search: search.map(str::to_owned),
        after_id,
        limit,
    };
    let first = s.admin.list_users(&page(0, 2, None)).await?;
    assert_eq!(
        first.iter().map(|u| u.user.id).collect::<Vec<_>>(),
        [ann.id, bob.id]
    );
    let next = s.admin.list_users(&page(bob.id, 2, None)).await?;
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].user.id, cid.id);
    // Limits are clamped rather than refused.
    assert_eq!(s.admin.list_users(&page(0, 0, None)).await?.len(), 1);
    assert_eq!(
        s.admin.list_users(&page(0, 1_000_000, None)).await?.len(),
        3
    );

    let by_name = s.admin.list_users(&page(0, 10, Some("cidthe"))).await?;
    assert_eq!(by_name.len(), 1);
    assert_eq!(by_name[0].user.id, cid.id);
    let by_phone = s.admin.list_users(&page(0, 10, Some("1555000"))).await?;
    assert_eq!(by_phone.len(), 3);
    // LIKE wildcards typed by an operator match literally.
    let literal = s.admin.list_users(&page(0, 10, Some("50%"))).await?;
    assert_eq!(literal.len(), 1);
    assert_eq!(literal[0].user.id, bob.id);
    assert!(s
        .admin
        .list_users(&page(0, 10, Some("_")))
        .await?
        .iter()
        .all(|u| u.user.id == bob.id));
    assert_eq!(s.admin.count_users(None).await?, 3);
    assert_eq!(s.admin.count_users(Some("ANN")).await?, 1);

    assert!(!s.admin.is_phone_banned("15550001").await?);
    let banned = s.admin.set_banned(ann.id, true, 1_700_000_100).await?;
    assert!(banned.banned);
    assert_eq!(banned.banned_at, 1_700_000_100);
    assert!(s.admin.is_phone_banned("15550001").await?);
    assert!(!s.admin.is_phone_banned("19990000").await?);
    assert!(s
        .admin
        .get_admin_user(ann.id)
        .await?
        .is_some_and(|u| u.banned));
    let unbanned = s.admin.set_banned(ann.id, false, 1_700_000_200).await?;
    assert!(!unbanned.banned);
    assert_eq!(unbanned.banned_at, 0);
    assert!(matches!(
        s.admin.set_banned(1, true, 0).await,
        Err(StorageError::NotFound)
    ));
    assert!(s.admin.get_admin_user(1).await?.is_none());
    Ok(())
}

pub async fn admin_delete_account_frees_phone(ctx: Ctx) -> Result<()> {
    let s = &ctx.storage;
    let ann = s.users.create(new_user("15550001", "Ann")).await?;
    s.users.set_username(ann.id, Some("ann".into())).await?;
    s.authorizations
        .bind_user(77, ann.id, 1_700_000_000)
        .await?;
    let before = s.users.access(ann.id).await?.expect("ann exists");
    assert!(!before.deleted);
    assert_eq!(before.access_hash, ann.access_hash);
    s.admin.delete_account(ann.id).await?;
    let gone = s.users.get(ann.id).await?.expect("row kept");
    assert!(gone.deleted);
    // What a store may cache for inputPeerUser checks follows the deletion.
    assert!(s.users.access(ann.id).await?.expect("row kept").deleted);
    assert!(s.users.access(ann.id + 1_000).await?.is_none());
    assert_eq!(gone.username, None);
    assert!(s.users.get_by_phone("15550001").await?.is_none());
    assert!(s.authorizations.list_for_user(ann.id).await?.is_empty());
    assert!(matches!(
        s.admin.delete_account(ann.id).await,
        Err(StorageError::NotFound)
    ));
    assert_eq!(s.admin.count_users(None).await?, 0);
    // The number can sign up again as a new account; the username is free too.
    let again = s.users.create(new_user("15550001", "Ann2")).await?;
    assert_ne!(again.id, ann.id);
    s.users.set_username(again.id, Some("ANN".into())).await?;
    Ok(())
}

pub async fn admin_pending_code(ctx: Ctx) -> Result<()> {
    let s = &ctx.storage;
    let code = |hash: &str, code: &str, created_at, expires_at| PhoneCodeRecord {
        phone_code_hash: hash.into(),
        phone: "15550001".into(),
        code: code.into(),
        created_at,
        expires_at,
        attempts: 0,
        verified: false,
    };
    assert!(s.admin.pending_code("15550001", 1000).await?.is_none());
    s.phone_codes.put(code("a", "11111", 900, 1200)).await?;
    s.phone_codes.put(code("b", "22222", 950, 1250)).await?;
    let pending = s
        .admin
        .pending_code("15550001", 1000)
        .await?
        .expect("a live code");
    assert_eq!(pending.code, "22222");
    assert_eq!(pending.phone_code_hash, "b");
    assert!(s.admin.pending_code("15550001", 1250).await?.is_none());
    assert!(s.admin.pending_code("15550002", 1000).await?.is_none());
    Ok(())
}
