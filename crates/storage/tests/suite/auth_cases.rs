//! Auth keys, authorizations, phone codes and migrations.

use anyhow::{ensure, Result};
use echo_storage::{
    AuthKeyKind, AuthKeyRecord, ClientInfo, NewUser, PhoneCodeRecord, Storage, StorageError,
};
use sqlx::{Connection, Row};

use crate::harness::Ctx;

fn key(id: i64, kind: AuthKeyKind, fill: u8) -> AuthKeyRecord {
    AuthKeyRecord {
        auth_key_id: id,
        auth_key: (0..=255u8).map(|b| b ^ fill).collect(),
        kind,
        expires_at: None,
        perm_auth_key_id: None,
        created_at: 1_700_000_000,
    }
}

pub async fn auth_keys_put_get_bind(ctx: Ctx) -> Result<()> {
    let keys = &ctx.storage.auth_keys;
    let perm = key(-7_000_000_000_123, AuthKeyKind::Perm, 0);
    keys.put(perm.clone()).await?;
    assert_eq!(keys.get(perm.auth_key_id).await?, Some(perm.clone()));
    assert!(matches!(
        keys.put(perm.clone()).await,
        Err(StorageError::Conflict(_))
    ));

    let mut short = key(5, AuthKeyKind::Perm, 0);
    short.auth_key.truncate(255);
    assert!(matches!(
        keys.put(short).await,
        Err(StorageError::InvalidArgument(_))
    ));
    assert_eq!(keys.get(5).await?, None);

    let temp = key(42, AuthKeyKind::Temp, 0xAA);
    keys.put(temp.clone()).await?;
    let media = key(43, AuthKeyKind::MediaTemp, 0x55);
    keys.put(media.clone()).await?;
    assert_eq!(
        keys.get(43).await?.map(|k| k.kind),
        Some(AuthKeyKind::MediaTemp)
    );

    keys.bind_temp(42, perm.auth_key_id, 1_700_086_400).await?;
    let bound = keys.get(42).await?.expect("temp key");
    assert_eq!(bound.perm_auth_key_id, Some(perm.auth_key_id));
    assert_eq!(bound.expires_at, Some(1_700_086_400));
    assert_eq!(bound.auth_key, temp.auth_key);
    // Binding again with the same values is fine (MySQL must count matched rows).
    keys.bind_temp(42, perm.auth_key_id, 1_700_086_400).await?;

    assert!(matches!(
        keys.bind_temp(42, 999, 1).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        keys.bind_temp(999, perm.auth_key_id, 1).await,
        Err(StorageError::NotFound)
    ));
    // A perm key cannot be bound as if it were temporary, nor a temp key act as perm.
    assert!(matches!(
        keys.bind_temp(perm.auth_key_id, perm.auth_key_id, 1).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        keys.bind_temp(43, 42, 1).await,
        Err(StorageError::NotFound)
    ));

    assert!(keys.delete(42).await?);
    assert!(!keys.delete(42).await?);
    assert_eq!(keys.get(42).await?, None);
    Ok(())
}

fn client(auth_key_id: i64, app_version: &str, now: i64) -> ClientInfo {
    ClientInfo {
        auth_key_id,
        layer: 229,
        api_id: 4,
        device_model: "Pixel 8 — тест 📱".to_owned(),
        system_version: "Android 15".to_owned(),
        app_version: app_version.to_owned(),
        system_lang_code: "en-US".to_owned(),
        lang_pack: "android".to_owned(),
        lang_code: "en".to_owned(),
        ip: "192.0.2.1".to_owned(),
        now,
    }
}

pub async fn authorizations_bind_unbind(ctx: Ctx) -> Result<()> {
    let auths = &ctx.storage.authorizations;
    assert_eq!(auths.get(1).await?, None);

    auths.upsert_client(client(1, "10.0", 100)).await?;
    let first = auths.get(1).await?.expect("row");
    assert_eq!(first.user_id, None);
    assert_ne!(first.hash, 0);
    assert_eq!(first.layer, 229);
    assert_eq!(first.device_model, "Pixel 8 — тест 📱");
    assert_eq!((first.created_at, first.active_at), (100, 100));

    auths.upsert_client(client(1, "10.1", 150)).await?;
    let again = auths.get(1).await?.expect("row");
    assert_eq!(again.app_version, "10.1");
    assert_eq!(again.hash, first.hash, "hash survives client refresh");
    assert_eq!((again.created_at, again.active_at), (100, 150));

    auths.bind_user(1, 1_000_000, 200).await?;
    let bound = auths.get(1).await?.expect("row");
    assert_eq!(bound.user_id, Some(1_000_000));
    assert_eq!(bound.app_version, "10.1", "client info kept on login");
    assert_eq!((bound.created_at, bound.active_at), (200, 200));

    // A login on a key whose initConnection was never stored still creates the row.
    auths.bind_user(2, 1_000_000, 300).await?;
    let bare = auths.get(2).await?.expect("row");
    assert_eq!(bare.user_id, Some(1_000_000));
    assert_eq!(bare.device_model, "");
    assert_ne!(bare.hash, 0);

    let list = auths.list_for_user(1_000_000).await?;
    assert_eq!(
        list.iter().map(|a| a.auth_key_id).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert!(auths.list_for_user(1_000_001).await?.is_empty());

    assert!(auths.unbind(1).await?);
    assert!(!auths.unbind(1).await?);
    let out = auths.get(1).await?.expect("row kept");
    assert_eq!(out.user_id, None);
    assert_eq!(out.app_version, "10.1");
    assert_eq!(auths.list_for_user(1_000_000).await?.len(), 1);

    assert!(auths.delete(2).await?);
    assert!(!auths.delete(2).await?);
    assert!(auths.list_for_user(1_000_000).await?.is_empty());
    Ok(())
}

pub async fn phone_codes(ctx: Ctx) -> Result<()> {
    let codes = &ctx.storage.phone_codes;
    let code = |hash: &str, phone: &str, at: i64| PhoneCodeRecord {
        phone_code_hash: hash.to_owned(),
        phone: phone.to_owned(),
        code: "12345".to_owned(),
        created_at: at,
        expires_at: at + 300,
        attempts: 0,
        verified: false,
    };
    codes.put(code("aa11", "15550001", 1000)).await?;
    codes.put(code("bb22", "15550001", 2000)).await?;
    codes.put(code("cc33", "15550002", 2000)).await?;
    assert!(matches!(
        codes.put(code("aa11", "1", 1)).await,
        Err(StorageError::Conflict(_))
    ));
    // Hashes compare exactly, not case-insensitively.
    assert_eq!(codes.get("AA11").await?, None);

    assert_eq!(
        codes.get("aa11").await?,
        Some(code("aa11", "15550001", 1000))
    );
    assert_eq!(codes.record_attempt("aa11").await?, 1);
    assert_eq!(codes.record_attempt("aa11").await?, 2);
    assert_eq!(codes.get("aa11").await?.map(|c| c.attempts), Some(2));
    assert!(matches!(
        codes.record_attempt("nope").await,
        Err(StorageError::NotFound)
    ));

    assert_eq!(codes.count_since("15550001", 0).await?, 2);
    assert_eq!(codes.count_since("15550001", 1500).await?, 1);
    assert_eq!(codes.count_since("15550001", 2000).await?, 1);
    assert_eq!(codes.count_since("15559999", 0).await?, 0);

    assert!(codes.delete("aa11").await?);
    assert!(!codes.delete("aa11").await?);
    assert_eq!(codes.get("aa11").await?, None);
    Ok(())
}

pub async fn migrations_are_idempotent(ctx: Ctx) -> Result<()> {
    ctx.storage.ping().await?;
    let user = ctx
        .storage
        .users
        .create(NewUser {
            phone: "15550100".to_owned(),
            first_name: "Ann".to_owned(),
            last_name: String::new(),
            access_hash: 77,
            now: 1,
        })
        .await?;

    // Connecting again re-runs the migrator over the same database: nothing changes.
    for _ in 0..2 {
        let second = Storage::connect(&ctx.url).await?;
        second.ping().await?;
        assert_eq!(second.users.get(user.id).await?, Some(user.clone()));
        second.close().await;
    }

    let mut conn = sqlx::AnyConnection::connect(&ctx.url).await?;
    let rows = sqlx::query("SELECT version, name FROM schema_migrations ORDER BY version")
        .fetch_all(&mut conn)
        .await?;
    // Each version applied exactly once, starting at 1 (parallel issues hold numbers
    // reserved for them, so the sequence may have gaps until they land).
    ensure!(!rows.is_empty(), "no applied migration");
    let mut previous = 0;
    for row in &rows {
        let version = row.try_get::<i64, _>("version")?;
        assert!(version > previous, "version {version} after {previous}");
        previous = version;
    }
    assert_eq!(rows[0].try_get::<i64, _>("version")?, 1);
    if ctx.url.starts_with("sqlite:") {
        // WAL is a property of the file, so a fresh connection sees what connect set.
        let row = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut conn)
            .await?;
        let mode: String = row.try_get(0)?;
        assert_eq!(mode.to_lowercase(), "wal");
    }
    conn.close().await?;

    // A closed storage refuses further work instead of hanging.
    let third = Storage::connect(&ctx.url).await?;
    third.close().await;
    assert!(third.ping().await.is_err());
    Ok(())
}
