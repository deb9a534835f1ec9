//! Login by phone code: sendCode → signIn → signUp, and every way it must refuse.

mod common;

use common::{authorized_user, err, Harness};
use echo_bff::ServerConfig;
use echo_tl::{enums, functions};

const PHONE: &str = "+1 555-0001";
const KEY_A: i64 = 0x0a;
const KEY_B: i64 = 0x0b;

fn get_self() -> functions::users::GetUsers {
    functions::users::GetUsers {
        id: vec![enums::InputUser::UserSelf],
    }
}

#[tokio::test]
async fn calls_before_login_get_401() {
    let h = Harness::new().await;
    assert_eq!(
        h.call(KEY_A, &get_self()).await.unwrap_err(),
        err(401, "AUTH_KEY_UNREGISTERED")
    );
    let state = h.call(KEY_A, &functions::updates::GetState {}).await;
    assert_eq!(state.unwrap_err(), err(401, "AUTH_KEY_UNREGISTERED"));
    let log_out = h.call(KEY_A, &functions::auth::LogOut {}).await;
    assert_eq!(log_out.unwrap_err(), err(401, "AUTH_KEY_UNREGISTERED"));
}

#[tokio::test]
async fn sign_up_then_sign_in_from_another_key() {
    let h = Harness::new().await;
    let sent = h.send_code(KEY_A, PHONE).await.unwrap();
    assert!(matches!(sent.r#type, enums::auth::SentCodeType::Sms(ref s) if s.length == 5));
    assert!(sent.phone_code_hash.len() >= 16);

    // Same number written differently.
    let signed_in = h
        .sign_in(KEY_A, "15550001", &sent.phone_code_hash, "12345")
        .await
        .unwrap();
    assert!(matches!(
        signed_in,
        enums::auth::Authorization::SignUpRequired(_)
    ));
    let auth = h
        .sign_up(KEY_A, PHONE, &sent.phone_code_hash, " Ann ")
        .await
        .unwrap();
    let me = authorized_user(auth);
    assert!(me.is_self);
    assert_eq!(me.first_name.as_deref(), Some("Ann"));
    assert_eq!(me.phone.as_deref(), Some("15550001"));
    assert!(me.access_hash.is_some_and(|h| h != 0));

    let users = h.call(KEY_A, &get_self()).await.unwrap();
    assert!(matches!(users.as_slice(), [enums::User::User(u)] if u.id == me.id && u.is_self));

    // The code is used up.
    let again = h.sign_up(KEY_A, PHONE, &sent.phone_code_hash, "Ann").await;
    assert_eq!(again.unwrap_err(), err(400, "PHONE_CODE_EXPIRED"));

    // A registered number gets the code "in the app" and signs straight in.
    let sent = h.send_code(KEY_B, PHONE).await.unwrap();
    assert!(matches!(sent.r#type, enums::auth::SentCodeType::App(ref s) if s.length == 5));
    let auth = h
        .sign_in(KEY_B, PHONE, &sent.phone_code_hash, "12345")
        .await
        .unwrap();
    assert_eq!(authorized_user(auth).id, me.id);
    assert!(h.call(KEY_B, &get_self()).await.is_ok());

    // Log out of B only.
    h.call(KEY_B, &functions::auth::LogOut {}).await.unwrap();
    assert_eq!(
        h.call(KEY_B, &get_self()).await.unwrap_err(),
        err(401, "AUTH_KEY_UNREGISTERED")
    );
    assert!(h.call(KEY_A, &get_self()).await.is_ok());
}

#[tokio::test]
async fn sign_up_needs_a_verified_code() {
    let h = Harness::new().await;
    let sent = h.send_code(KEY_A, PHONE).await.unwrap();
    let refused = h.sign_up(KEY_A, PHONE, &sent.phone_code_hash, "Eve").await;
    assert_eq!(refused.unwrap_err(), err(400, "PHONE_CODE_INVALID"));
    let bogus = h
        .sign_up(KEY_A, PHONE, "00112233445566778899aabbccddeeff", "Eve")
        .await;
    assert_eq!(bogus.unwrap_err(), err(400, "PHONE_CODE_EXPIRED"));
    // A verified hash is bound to its phone.
    h.sign_in(KEY_A, PHONE, &sent.phone_code_hash, "12345")
        .await
        .unwrap();
    let other_phone = h
        .sign_up(KEY_A, "15550002", &sent.phone_code_hash, "Eve")
        .await;
    assert_eq!(other_phone.unwrap_err(), err(400, "PHONE_NUMBER_INVALID"));
    let no_name = h.sign_up(KEY_A, PHONE, &sent.phone_code_hash, "  ").await;
    assert_eq!(no_name.unwrap_err(), err(400, "FIRST_NAME_INVALID"));
    let long_name = h
        .sign_up(KEY_A, PHONE, &sent.phone_code_hash, &"x".repeat(65))
        .await;
    assert_eq!(long_name.unwrap_err(), err(400, "FIRST_NAME_INVALID"));
    assert!(h
        .sign_up(KEY_A, PHONE, &sent.phone_code_hash, "Eve")
        .await
        .is_ok());
}

#[tokio::test]
async fn phone_taken_between_sign_in_and_sign_up() {
    let h = Harness::new().await;
    let first = h.send_code(KEY_A, PHONE).await.unwrap();
    let second = h.send_code(KEY_B, PHONE).await.unwrap();
    h.sign_in(KEY_A, PHONE, &first.phone_code_hash, "12345")
        .await
        .unwrap();
    h.sign_in(KEY_B, PHONE, &second.phone_code_hash, "12345")
        .await
        .unwrap();
    h.sign_up(KEY_A, PHONE, &first.phone_code_hash, "Ann")
        .await
        .unwrap();
    let late = h
        .sign_up(KEY_B, PHONE, &second.phone_code_hash, "Bob")
        .await;
    assert_eq!(late.unwrap_err(), err(400, "PHONE_NUMBER_OCCUPIED"));
}

#[tokio::test]
async fn wrong_codes_then_the_hash_dies() {
    let h = Harness::new().await;
    let sent = h.send_code(KEY_A, PHONE).await.unwrap();
    let hash = &sent.phone_code_hash;
    assert_eq!(
        h.sign_in(KEY_A, PHONE, hash, "").await.unwrap_err(),
        err(400, "PHONE_CODE_EMPTY")
    );
    assert_eq!(
        h.sign_in(KEY_A, "15550009", hash, "12345")
            .await
            .unwrap_err(),
        err(400, "PHONE_NUMBER_INVALID")
    );
    assert_eq!(
        h.sign_in(KEY_A, PHONE, "", "12345").await.unwrap_err(),
        err(400, "PHONE_CODE_HASH_EMPTY")
    );
    for _ in 0..5 {
        assert_eq!(
            h.sign_in(KEY_A, PHONE, hash, "54321").await.unwrap_err(),
            err(400, "PHONE_CODE_INVALID")
        );
    }
    // Even the right code is too late now.
    assert_eq!(
        h.sign_in(KEY_A, PHONE, hash, "12345").await.unwrap_err(),
        err(400, "PHONE_CODE_EXPIRED")
    );
}

#[tokio::test]
async fn codes_expire() {
    let mut h = Harness::new().await;
    let sent = h.send_code(KEY_A, PHONE).await.unwrap();
    h.now += 301;
    let late = h
        .sign_in(KEY_A, PHONE, &sent.phone_code_hash, "12345")
        .await;
    assert_eq!(late.unwrap_err(), err(400, "PHONE_CODE_EXPIRED"));
}

#[tokio::test]
async fn random_codes_are_stored_and_work() {
    let h = Harness::with_config(ServerConfig::default()).await;
    let sent = h.send_code(KEY_A, PHONE).await.unwrap();
    let code = h
        .storage
        .phone_codes
        .get(&sent.phone_code_hash)
        .await
        .unwrap()
        .unwrap()
        .code;
    assert_eq!(code.len(), 5);
    assert!(code.chars().all(|c| c.is_ascii_digit()));
    let signed_in = h
        .sign_in(KEY_A, PHONE, &sent.phone_code_hash, &code)
        .await
        .unwrap();
    assert!(matches!(
        signed_in,
        enums::auth::Authorization::SignUpRequired(_)
    ));
}

#[tokio::test]
async fn bad_phones_and_flood() {
    let h = Harness::with_config(ServerConfig {
        dev_codes: true,
        send_code_per_hour: 2,
        ..ServerConfig::default()
    })
    .await;
    for bad in ["", "123", "+1 555 000 000 000 000 1", "555-CALL-NOW"] {
        assert_eq!(
            h.send_code(KEY_A, bad).await.unwrap_err(),
            err(400, "PHONE_NUMBER_INVALID"),
            "{bad}"
        );
    }
    h.send_code(KEY_A, PHONE).await.unwrap();
    h.send_code(KEY_A, PHONE).await.unwrap();
    // Both codes were sent at NOW, so the window frees up an hour later.
    assert_eq!(
        h.send_code(KEY_A, PHONE).await.unwrap_err(),
        err(420, "FLOOD_WAIT_3600")
    );
    // Other phones are not affected.
    assert!(h.send_code(KEY_A, "15550002").await.is_ok());
}

#[tokio::test]
async fn sign_in_needs_a_permanent_key() {
    let h = Harness::new().await;
    let sent = h.send_code(KEY_A, PHONE).await.unwrap();
    let mut ctx = h.ctx(KEY_A).await;
    ctx.perm_auth_key_id = None;
    let req = functions::auth::SignIn {
        phone_number: PHONE.into(),
        phone_code_hash: sent.phone_code_hash,
        phone_code: Some("12345".into()),
        email_verification: None,
    };
    assert_eq!(
        h.call_ctx(&ctx, &req).await.unwrap_err(),
        err(401, "AUTH_KEY_PERM_EMPTY")
    );
}
