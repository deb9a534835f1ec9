//! Account security (migrations 0006/0007): passwords and single-use SRP challenges, pending
//! password logins, QR login tokens, flood counters that survive a reconnect, TTLs.

use anyhow::Result;
use echo_storage::{LoginTokenRecord, PasswordRecord, PendingLogin, SrpChallenge, Storage};

use crate::harness::Ctx;

fn password(user_id: i64, verifier: u8) -> PasswordRecord {
    PasswordRecord {
        user_id,
        salt1: vec![1; 40],
        salt2: vec![2; 16],
        verifier: vec![verifier; 256],
        hint: "pet".into(),
        email: None,
        updated_at: 10,
    }
}

fn challenge(srp_id: i64, user_id: i64, expires_at: i64) -> SrpChallenge {
    SrpChallenge {
        srp_id,
        user_id,
        secret_b: vec![7; 256],
        expires_at,
    }
}

pub async fn passwords_and_srp_challenges(ctx: Ctx) -> Result<()> {
    let s = &ctx.storage.passwords;
    assert_eq!(s.get_password(1).await?, None);
    s.set_password(password(1, 9)).await?;
    assert_eq!(s.get_password(1).await?, Some(password(1, 9)));

    s.put_srp_challenge(challenge(100, 1, 50), 10).await?;
    s.put_srp_challenge(challenge(101, 1, 50), 10).await?;
    // Single use.
    assert_eq!(
        s.take_srp_challenge(100).await?,
        Some(challenge(100, 1, 50))
    );
    assert_eq!(s.take_srp_challenge(100).await?, None);
    // A new password makes every outstanding srp_id stale.
    let mut changed = password(1, 8);
    changed.email = Some("a@example.com".into());
    s.set_password(changed.clone()).await?;
    assert_eq!(s.get_password(1).await?, Some(changed));
    assert_eq!(s.take_srp_challenge(101).await?, None);
    // Expired challenges are dropped when a new one is stored.
    s.put_srp_challenge(challenge(102, 1, 20), 10).await?;
    s.put_srp_challenge(challenge(103, 1, 90), 30).await?;
    assert_eq!(s.take_srp_challenge(102).await?, None);
    assert!(s.take_srp_challenge(103).await?.is_some());

    s.put_srp_challenge(challenge(104, 1, 90), 30).await?;
    assert!(s.delete_password(1).await?);
    assert!(!s.delete_password(1).await?);
    assert_eq!(s.get_password(1).await?, None);
    assert_eq!(s.take_srp_challenge(104).await?, None);

    let pending = PendingLogin {
        auth_key_id: 5,
        user_id: 1,
        expires_at: 99,
    };
    s.put_pending_login(pending).await?;
    s.put_pending_login(PendingLogin {
        expires_at: 120,
        ..pending
    })
    .await?;
    assert_eq!(
        s.get_pending_login(5).await?.map(|p| p.expires_at),
        Some(120)
    );
    assert!(s.delete_pending_login(5).await?);
    assert_eq!(s.get_pending_login(5).await?, None);
    Ok(())
}

pub async fn login_tokens(ctx: Ctx) -> Result<()> {
    let s = &ctx.storage.login_tokens;
    let token = |bytes: &[u8], created_at, expires_at| LoginTokenRecord {
        token: bytes.to_vec(),
        auth_key_id: 42,
        created_at,
        expires_at,
        accepted_by: None,
    };
    s.put_login_token(token(&[0, 1, 2, 255], 100, 130)).await?;
    assert!(s
        .put_login_token(token(&[0, 1, 2, 255], 100, 130))
        .await
        .is_err());
    assert_eq!(
        s.get_login_token(&[0, 1, 2, 255]).await?,
        Some(token(&[0, 1, 2, 255], 100, 130))
    );
    assert_eq!(s.get_login_token(&[9]).await?, None);
    assert_eq!(s.accepted_login_token(42).await?, None);
    // Not after expiry; once only.
    assert!(!s.accept_login_token(&[0, 1, 2, 255], 7, 130).await?);
    assert!(s.accept_login_token(&[0, 1, 2, 255], 7, 129).await?);
    assert!(!s.accept_login_token(&[0, 1, 2, 255], 8, 129).await?);
    let accepted = s.accepted_login_token(42).await?.expect("accepted");
    assert_eq!(accepted.accepted_by, Some(7));
    // A new token of the key drops its expired ones.
    s.put_login_token(token(&[3], 200, 230)).await?;
    assert_eq!(s.get_login_token(&[0, 1, 2, 255]).await?, None);
    assert_eq!(s.delete_login_tokens(42).await?, 1);
    assert_eq!(s.get_login_token(&[3]).await?, None);
    Ok(())
}

pub async fn flood_counters_survive_reconnect(ctx: Ctx) -> Result<()> {
    let f = &ctx.storage.flood;
    assert_eq!(f.hits("sign_in", "15550001", 3600).await?, 0);
    assert_eq!(f.add_hits("sign_in", "15550001", 3600, 1).await?, 1);
    assert_eq!(f.add_hits("sign_in", "15550001", 3600, 2).await?, 3);
    assert_eq!(f.add_hits("sign_in", "15550002", 3600, 1).await?, 1);
    assert_eq!(f.add_hits("send_code_ip", "15550001", 3600, 1).await?, 1);

    // What a restart sees: a second connection to the same database.
    let again = Storage::connect(&ctx.url).await?;
    assert_eq!(again.flood.hits("sign_in", "15550001", 3600).await?, 3);
    again.close().await;

    // A new window starts from zero and drops the old one.
    assert_eq!(f.add_hits("sign_in", "15550001", 7200, 1).await?, 1);
    assert_eq!(f.hits("sign_in", "15550001", 3600).await?, 0);

    // Concurrent hits all count.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let flood = ctx.storage.flood.clone();
        tasks.push(tokio::spawn(async move {
            flood.add_hits("password", "1", 0, 1).await
        }));
    }
    for t in tasks {
        t.await??;
    }
    assert_eq!(f.hits("password", "1", 0).await?, 8);
    Ok(())
}

pub async fn authorization_ttls(ctx: Ctx) -> Result<()> {
    let t = &ctx.storage.authorization_ttls;
    assert_eq!(t.get_authorization_ttl(1).await?, None);
    t.set_authorization_ttl(1, 30).await?;
    t.set_authorization_ttl(1, 180).await?;
    assert_eq!(t.get_authorization_ttl(1).await?, Some(180));
    Ok(())
}
