//! Users: id allocation, phone uniqueness, usernames, profile.

use anyhow::Result;
use echo_storage::{NewUser, StorageError, UserRecord, FIRST_USER_ID};

use crate::harness::Ctx;

pub fn new_user(phone: &str, first_name: &str) -> NewUser {
    NewUser {
        phone: phone.to_owned(),
        first_name: first_name.to_owned(),
        last_name: "Tester".to_owned(),
        access_hash: -0x1234_5678_9abc_def0,
        now: 1_700_000_000,
    }
}

pub async fn users_create_and_conflict(ctx: Ctx) -> Result<()> {
    let users = &ctx.storage.users;
    let a = users.create(new_user("15550001", "Ann 😀 Ñandú")).await?;
    assert_eq!(a.id, FIRST_USER_ID);
    assert_eq!(a.first_name, "Ann 😀 Ñandú");
    assert_eq!(a.about, "");
    assert_eq!(a.username, None);
    assert!(!a.deleted);
    let b = users.create(new_user("15550002", "Bob")).await?;
    assert_eq!(b.id, FIRST_USER_ID + 1);

    match users.create(new_user("15550001", "Again")).await {
        Err(StorageError::Conflict(_)) => {}
        other => panic!("expected Conflict for a taken phone, got {other:?}"),
    }
    assert!(matches!(
        users.create(new_user("", "Nobody")).await,
        Err(StorageError::InvalidArgument(_))
    ));
    // A failed insert must not leave a gap-filling row behind.
    let c = users.create(new_user("15550003", "Cid")).await?;
    assert!(c.id > b.id);

    assert_eq!(users.get(a.id).await?, Some(a.clone()));
    assert_eq!(users.get(1).await?, None);
    assert_eq!(users.get_by_phone("15550002").await?, Some(b.clone()));
    assert_eq!(users.get_by_phone("15559999").await?, None);

    let many = users.get_many(&[c.id, a.id, a.id, 42]).await?;
    assert_eq!(many, vec![a.clone(), c.clone()]);
    assert!(users.get_many(&[]).await?.is_empty());
    let lots: Vec<i64> = (0..250).map(|i| FIRST_USER_ID + i).collect();
    let found: Vec<i64> = users.get_many(&lots).await?.iter().map(|u| u.id).collect();
    assert_eq!(found, vec![a.id, b.id, c.id]);
    Ok(())
}

pub async fn usernames_are_case_insensitive(ctx: Ctx) -> Result<()> {
    let users = &ctx.storage.users;
    let a = users.create(new_user("15550001", "Ann")).await?;
    let b = users.create(new_user("15550002", "Bob")).await?;

    let named = users
        .set_username(a.id, Some("Alice_Bot".to_owned()))
        .await?;
    assert_eq!(named.username.as_deref(), Some("Alice_Bot"));
    let found: Option<UserRecord> = users.get_by_username("alice_bot").await?;
    assert_eq!(found.map(|u| u.id), Some(a.id));
    assert_eq!(
        users.get_by_username("ALICE_BOT").await?.map(|u| u.id),
        Some(a.id)
    );
    assert_eq!(users.get_by_username("alice").await?, None);

    match users.set_username(b.id, Some("ALICE_bot".to_owned())).await {
        Err(StorageError::Conflict(_)) => {}
        other => panic!("expected Conflict for a taken username, got {other:?}"),
    }
    // The owner may change the letter case of their own name.
    let recased = users
        .set_username(a.id, Some("ALICE_BOT".to_owned()))
        .await?;
    assert_eq!(recased.username.as_deref(), Some("ALICE_BOT"));

    users.set_username(a.id, None).await?;
    assert_eq!(users.get_by_username("alice_bot").await?, None);
    // Several users without a username do not collide on the unique index.
    assert_eq!(users.get(b.id).await?.and_then(|u| u.username), None);
    users
        .set_username(b.id, Some("alice_bot".to_owned()))
        .await?;
    assert_eq!(
        users.get_by_username("Alice_Bot").await?.map(|u| u.id),
        Some(b.id)
    );

    assert!(matches!(
        users.set_username(1, Some("ghost".to_owned())).await,
        Err(StorageError::NotFound)
    ));
    Ok(())
}

pub async fn profile_and_last_seen(ctx: Ctx) -> Result<()> {
    let users = &ctx.storage.users;
    let a = users.create(new_user("15550001", "Ann")).await?;

    let updated = users
        .update_profile(
            a.id,
            Some("Anna".to_owned()),
            None,
            Some("about me ✨".to_owned()),
        )
        .await?;
    assert_eq!(updated.first_name, "Anna");
    assert_eq!(updated.last_name, "Tester");
    assert_eq!(updated.about, "about me ✨");
    let cleared = users
        .update_profile(a.id, None, Some(String::new()), None)
        .await?;
    assert_eq!(
        (cleared.first_name.as_str(), cleared.last_name.as_str()),
        ("Anna", "")
    );
    assert_eq!(cleared.about, "about me ✨");
    // Same values again: still found (MySQL reports matched rather than changed rows).
    users.update_profile(a.id, None, None, None).await?;

    users.set_last_seen(a.id, 1_700_000_500).await?;
    users.set_last_seen(a.id, 1_700_000_500).await?;
    assert_eq!(
        users.get(a.id).await?.map(|u| u.last_seen_at),
        Some(1_700_000_500)
    );

    assert!(matches!(
        users.update_profile(1, None, None, None).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        users.set_last_seen(1, 5).await,
        Err(StorageError::NotFound)
    ));
    Ok(())
}
