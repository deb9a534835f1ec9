//! Account security through the API as the session layer calls it: the cloud password with
//! SRP (core.telegram.org/api/srp), QR login (/api/qr-login), the device list and its
//! termination, and the flood limits of these flows.

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use common::{authorized_user, err, Harness, NOW};
use echo_authsession::AuthSessionService;
use echo_bff::{srp, Bff, BffDeps, PushTarget, SecurityLimits, ServerConfig, SessionAddr};
use echo_tl::{enums, functions, types, Deserializable};
use parking_lot::Mutex;

const KEY_A: i64 = 11;
const KEY_B: i64 = 22;
const KEY_C: i64 = 33;
const PHONE: &str = "15550777";

/// Records pushes by user and by auth key, and keys told to disconnect.
#[derive(Default)]
struct Recorder {
    by_user: Mutex<Vec<(i64, enums::Updates)>>,
    by_key: Mutex<Vec<(i64, enums::Updates)>>,
    disconnected: Mutex<Vec<(i64, i64)>>,
}

#[async_trait]
impl PushTarget for Recorder {
    fn deliver(&self, user_id: i64, _except: Option<SessionAddr>, updates: Arc<Vec<u8>>) -> usize {
        let decoded = enums::Updates::from_bytes(&updates).expect("push decodes");
        self.by_user.lock().push((user_id, decoded));
        1
    }

    async fn deliver_to_auth_key(&self, perm: i64, updates: Arc<Vec<u8>>) -> usize {
        let decoded = enums::Updates::from_bytes(&updates).expect("push decodes");
        self.by_key.lock().push((perm, decoded));
        1
    }

    async fn disconnect_auth_key(&self, user_id: i64, perm: i64) -> usize {
        self.disconnected.lock().push((user_id, perm));
        1
    }
}

async fn harness(security: SecurityLimits) -> (Harness, Arc<Recorder>) {
    let h = Harness::with_config(ServerConfig {
        dev_codes: true,
        security,
        ..ServerConfig::default()
    })
    .await;
    echo_bff::contacts::ensure_service_user(&h.storage)
        .await
        .unwrap();
    let recorder = Arc::new(Recorder::default());
    h.sync_hub.attach(recorder.clone());
    (h, recorder)
}

async fn get_password(
    h: &Harness,
    key: i64,
) -> Result<types::account::Password, echo_bff::RpcError> {
    let enums::account::Password::Password(p) =
        h.call(key, &functions::account::GetPassword {}).await?;
    Ok(p)
}

fn algo_salts(algo: &enums::PasswordKdfAlgo) -> (Vec<u8>, Vec<u8>) {
    match algo {
        enums::PasswordKdfAlgo::Sha256Sha256Pbkdf2Hmacsha512iter100000Sha256ModPow(a) => {
            assert_eq!(a.g, 3);
            assert_eq!(a.p.as_slice(), srp::prime_bytes().as_slice());
            (a.salt1.clone(), a.salt2.clone())
        }
        other => panic!("unexpected algo {other:?}"),
    }
}

/// What a client computes for `password` from an account.password answer.
fn srp_answer(p: &types::account::Password, password: &str) -> enums::InputCheckPasswordSrp {
    let (salt1, salt2) = algo_salts(p.current_algo.as_ref().expect("has a password"));
    let a: Vec<u8> = (0..256).map(|_| rand::random::<u8>()).collect();
    let (g_a, m1) = srp::client_proof(
        password.as_bytes(),
        &salt1,
        &salt2,
        p.srp_b.as_ref().expect("srp_B"),
        &a,
    );
    enums::InputCheckPasswordSrp::Srp(types::InputCheckPasswordSrp {
        srp_id: p.srp_id.expect("srp_id"),
        a: g_a.to_vec(),
        m1: m1.to_vec(),
    })
}

/// account.updatePasswordSettings input for a new password (or removal with `None`).
fn new_settings(
    p: &types::account::Password,
    password: Option<&str>,
    hint: &str,
) -> enums::account::PasswordInputSettings {
    let (new_algo, hash) = match password {
        Some(pw) => {
            let (mut salt1, salt2) = algo_salts(&p.new_algo);
            salt1.extend((0..32).map(|_| rand::random::<u8>()));
            let v = srp::verifier_for(pw.as_bytes(), &salt1, &salt2);
            let algo = enums::PasswordKdfAlgo::Sha256Sha256Pbkdf2Hmacsha512iter100000Sha256ModPow(
                types::PasswordKdfAlgoSha256Sha256Pbkdf2Hmacsha512iter100000Sha256ModPow {
                    salt1,
                    salt2,
                    g: 3,
                    p: srp::prime_bytes().to_vec(),
                },
            );
            (algo, v.to_vec())
        }
        None => (enums::PasswordKdfAlgo::Unknown, Vec::new()),
    };
    enums::account::PasswordInputSettings::Settings(types::account::PasswordInputSettings {
        new_algo: Some(new_algo),
        new_password_hash: Some(hash),
        hint: Some(hint.into()),
        email: None,
        new_secure_settings: None,
    })
}

async fn set_password(
    h: &Harness,
    key: i64,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<bool, echo_bff::RpcError> {
    let p = get_password(h, key).await?;
    let password = match old {
        Some(old) => srp_answer(&p, old),
        None => enums::InputCheckPasswordSrp::InputCheckPasswordEmpty,
    };
    h.call(
        key,
        &functions::account::UpdatePasswordSettings {
            password,
            new_settings: new_settings(&p, new, "the usual"),
        },
    )
    .await
}

async fn check_password(
    h: &Harness,
    key: i64,
    password: &str,
) -> Result<enums::auth::Authorization, echo_bff::RpcError> {
    let p = get_password(h, key).await?;
    h.call(
        key,
        &functions::auth::CheckPassword {
            password: srp_answer(&p, password),
        },
    )
    .await
}

/// sendCode + signIn with the dev code on `key`.
async fn code_login(
    h: &Harness,
    key: i64,
) -> Result<enums::auth::Authorization, echo_bff::RpcError> {
    let sent = h.send_code(key, PHONE).await?;
    h.sign_in(key, PHONE, &sent.phone_code_hash, "12345").await
}

#[tokio::test]
async fn cloud_password_set_login_change_remove() {
    let (h, _) = harness(SecurityLimits::default()).await;
    let me = h.register(KEY_A, PHONE, "Ann").await;
    let p = get_password(&h, KEY_A).await.unwrap();
    assert!(!p.has_password && p.current_algo.is_none() && p.srp_id.is_none());

    assert_eq!(
        set_password(&h, KEY_A, None, Some("hunter2")).await,
        Ok(true)
    );
    let p = get_password(&h, KEY_A).await.unwrap();
    assert!(p.has_password);
    assert_eq!(p.hint.as_deref(), Some("the usual"));
    // Only the verifier is stored.
    let stored = h
        .storage
        .passwords
        .get_password(me.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.verifier.len(), 256);
    assert!(!stored.verifier.windows(7).any(|w| w == b"hunter2"));

    // A new device: the code alone is not enough.
    assert_eq!(
        code_login(&h, KEY_B).await.unwrap_err(),
        err(401, "SESSION_PASSWORD_NEEDED")
    );
    assert_eq!(h.authsession.user_of(KEY_B).await.unwrap(), None);
    assert_eq!(
        check_password(&h, KEY_B, "hunter3").await.unwrap_err(),
        err(400, "PASSWORD_HASH_INVALID")
    );
    // A used or unknown srp_id is stale.
    let p = get_password(&h, KEY_B).await.unwrap();
    let answer = srp_answer(&p, "hunter2");
    let req = functions::auth::CheckPassword { password: answer };
    h.call(KEY_B, &req)
        .await
        .unwrap_or_else(|e| panic!("right password refused: {e}"));
    assert_eq!(h.authsession.user_of(KEY_B).await.unwrap(), Some(me.id));
    assert_eq!(
        h.call(
            KEY_C,
            &functions::auth::CheckPassword {
                password: req.password.clone()
            }
        )
        .await
        .unwrap_err(),
        err(401, "AUTH_KEY_UNREGISTERED"),
        "no login waits on this key"
    );
    assert_eq!(
        code_login(&h, KEY_C).await.unwrap_err(),
        err(401, "SESSION_PASSWORD_NEEDED")
    );
    assert_eq!(
        h.call(KEY_C, &req).await.unwrap_err(),
        err(400, "SRP_ID_INVALID")
    );

    // getPasswordSettings needs the password.
    let p = get_password(&h, KEY_A).await.unwrap();
    let settings = functions::account::GetPasswordSettings {
        password: srp_answer(&p, "hunter2"),
    };
    assert!(h.call(KEY_A, &settings).await.is_ok());
    let p = get_password(&h, KEY_A).await.unwrap();
    let wrong = functions::account::GetPasswordSettings {
        password: srp_answer(&p, "nope"),
    };
    assert_eq!(
        h.call(KEY_A, &wrong).await.unwrap_err(),
        err(400, "PASSWORD_HASH_INVALID")
    );

    // Change: the old password stops working, the new one logs in.
    assert_eq!(
        set_password(&h, KEY_A, None, Some("x")).await.unwrap_err(),
        err(400, "PASSWORD_HASH_INVALID")
    );
    assert_eq!(
        set_password(&h, KEY_A, Some("hunter2"), Some("correct horse")).await,
        Ok(true)
    );
    assert_eq!(
        check_password(&h, KEY_C, "hunter2").await.unwrap_err(),
        err(400, "PASSWORD_HASH_INVALID")
    );
    let auth = check_password(&h, KEY_C, "correct horse").await.unwrap();
    assert_eq!(authorized_user(auth).id, me.id);

    // Remove: the code is enough again.
    assert_eq!(
        set_password(&h, KEY_A, Some("correct horse"), None).await,
        Ok(true)
    );
    assert!(!get_password(&h, KEY_A).await.unwrap().has_password);
    const KEY_D: i64 = 44;
    assert!(matches!(
        code_login(&h, KEY_D).await,
        Ok(enums::auth::Authorization::Authorization(_))
    ));
}

#[tokio::test]
async fn wrong_passwords_hit_flood_wait() {
    let (h, _) = harness(SecurityLimits {
        password_failures_per_hour: 3,
        ..SecurityLimits::default()
    })
    .await;
    h.register(KEY_A, PHONE, "Ann").await;
    set_password(&h, KEY_A, None, Some("pw")).await.unwrap();
    assert_eq!(
        code_login(&h, KEY_B).await.unwrap_err(),
        err(401, "SESSION_PASSWORD_NEEDED")
    );
    for _ in 0..3 {
        assert_eq!(
            check_password(&h, KEY_B, "guess").await.unwrap_err(),
            err(400, "PASSWORD_HASH_INVALID")
        );
    }
    // NOW is on an hour boundary: the window ends in 3600 s. Even the right password waits.
    assert_eq!(
        check_password(&h, KEY_B, "pw").await.unwrap_err(),
        err(420, "FLOOD_WAIT_3600")
    );
}

#[tokio::test]
async fn wrong_codes_hit_flood_wait_and_the_counter_survives_a_restart() {
    let (mut h, _) = harness(SecurityLimits::default()).await;
    h.register(KEY_A, PHONE, "Ann").await;
    let mut failures = 0;
    let flood = loop {
        let sent = h.send_code(KEY_B, PHONE).await.unwrap();
        match h
            .sign_in(KEY_B, PHONE, &sent.phone_code_hash, "00000")
            .await
        {
            Err(e) if e.message == "PHONE_CODE_INVALID" => failures += 1,
            Err(e) => break e,
            Ok(other) => panic!("wrong code accepted: {other:?}"),
        }
        assert!(failures <= 5, "no FLOOD_WAIT after {failures} wrong codes");
    };
    assert_eq!((failures, flood), (5, err(420, "FLOOD_WAIT_3600")));

    // A new API instance over the same database still refuses, even the right code.
    let restarted = Bff::new(BffDeps {
        storage: h.storage.clone(),
        authsession: h.authsession.clone(),
        config: ServerConfig {
            dev_codes: true,
            ..ServerConfig::default()
        },
        code_sender: Arc::new(echo_bff::LogCodeSender),
        messaging: echo_bff::Messaging::local(h.storage.clone(), h.sync_hub.clone()),
        media: echo_bff::local_media(h.media_dir.clone(), &h.storage, 2),
    });
    h.now = NOW + 1800;
    let sent = h.send_code(KEY_B, PHONE).await.unwrap();
    let ctx = h.ctx(KEY_B).await;
    let req = functions::auth::SignIn {
        phone_number: PHONE.into(),
        phone_code_hash: sent.phone_code_hash,
        phone_code: Some("12345".into()),
        email_verification: None,
    };
    use echo_bff::RpcService;
    assert_eq!(
        restarted
            .invoke(&ctx, &echo_tl::Serializable::to_bytes(&req))
            .await
            .unwrap_err(),
        err(420, "FLOOD_WAIT_1800")
    );
}

#[tokio::test]
async fn send_code_is_limited_per_ip() {
    let (h, _) = harness(SecurityLimits {
        send_code_per_ip_per_hour: 2,
        ..SecurityLimits::default()
    })
    .await;
    let req = |phone: &str| functions::auth::SendCode {
        phone_number: phone.into(),
        api_id: 1,
        api_hash: "0123456789abcdef".into(),
        settings: enums::CodeSettings::Settings(types::CodeSettings {
            allow_flashcall: false,
            current_number: false,
            allow_app_hash: false,
            allow_missed_call: false,
            allow_firebase: false,
            unknown_number: false,
            logout_tokens: None,
            token: None,
            app_sandbox: None,
        }),
    };
    let mut ctx = h.ctx(KEY_A).await;
    ctx.client_ip = Some("203.0.113.7".parse().unwrap());
    assert!(h.call_ctx(&ctx, &req("15550001")).await.is_ok());
    assert!(h.call_ctx(&ctx, &req("15550002")).await.is_ok());
    assert_eq!(
        h.call_ctx(&ctx, &req("15550003")).await.unwrap_err(),
        err(420, "FLOOD_WAIT_3600")
    );
    // Another address, and loopback (exempt by default), still get codes.
    ctx.client_ip = Some("203.0.113.8".parse().unwrap());
    assert!(h.call_ctx(&ctx, &req("15550003")).await.is_ok());
    ctx.client_ip = Some("127.0.0.1".parse().unwrap());
    for phone in ["15550004", "15550005", "15550006"] {
        assert!(h.call_ctx(&ctx, &req(phone)).await.is_ok());
    }
}

async fn export(h: &Harness, key: i64) -> Result<enums::auth::LoginToken, echo_bff::RpcError> {
    h.call(
        key,
        &functions::auth::ExportLoginToken {
            api_id: 1,
            api_hash: "x".into(),
            except_ids: vec![],
        },
    )
    .await
}

#[tokio::test]
async fn qr_login_with_push_expiry_and_password() {
    let (h, rec) = harness(SecurityLimits::default()).await;
    let me = h.register(KEY_A, PHONE, "Ann").await;
    let enums::auth::LoginToken::Token(t) = export(&h, KEY_B).await.unwrap() else {
        panic!("token expected")
    };
    assert_eq!(i64::from(t.expires), NOW + 30);
    // Still waiting: importing returns the token itself.
    let import = functions::auth::ImportLoginToken {
        token: t.token.clone(),
    };
    assert!(matches!(
        h.call(KEY_B, &import).await.unwrap(),
        enums::auth::LoginToken::Token(_)
    ));
    // Another key cannot use it; unknown tokens are invalid.
    assert_eq!(
        h.call(KEY_C, &import).await.unwrap_err(),
        err(400, "AUTH_TOKEN_INVALID")
    );
    let accept = |token: Vec<u8>| functions::auth::AcceptLoginToken { token };
    assert_eq!(
        h.call(KEY_A, &accept(vec![1, 2, 3])).await.unwrap_err(),
        err(400, "AUTH_TOKEN_INVALID")
    );
    // A logged-out key may not accept.
    assert_eq!(
        h.call(KEY_C, &accept(t.token.clone())).await.unwrap_err(),
        err(401, "AUTH_KEY_UNREGISTERED")
    );

    assert!(h.call(KEY_A, &accept(t.token.clone())).await.is_ok());
    let pushed = rec.by_key.lock().clone();
    assert!(
        matches!(&pushed[..], [(KEY_B, enums::Updates::UpdateShort(u))] if matches!(u.update, enums::Update::LoginToken))
    );
    assert_eq!(
        h.call(KEY_A, &accept(t.token.clone())).await.unwrap_err(),
        err(400, "AUTH_TOKEN_ALREADY_ACCEPTED")
    );
    let enums::auth::LoginToken::Success(s) = export(&h, KEY_B).await.unwrap() else {
        panic!("success expected")
    };
    assert_eq!(authorized_user(s.authorization).id, me.id);
    assert_eq!(h.authsession.user_of(KEY_B).await.unwrap(), Some(me.id));

    // Expired tokens cannot be accepted.
    let enums::auth::LoginToken::Token(old) = export(&h, KEY_C).await.unwrap() else {
        panic!()
    };
    let mut late = h.ctx(KEY_A).await;
    late.now = NOW + 31;
    assert_eq!(
        h.call_ctx(&late, &accept(old.token.clone()))
            .await
            .unwrap_err(),
        err(400, "AUTH_TOKEN_EXPIRED")
    );

    // With a cloud password the QR login still needs it.
    set_password(&h, KEY_A, None, Some("pw")).await.unwrap();
    let enums::auth::LoginToken::Token(t) = export(&h, KEY_C).await.unwrap() else {
        panic!()
    };
    h.call(KEY_A, &accept(t.token)).await.unwrap();
    assert_eq!(
        export(&h, KEY_C).await.unwrap_err(),
        err(401, "SESSION_PASSWORD_NEEDED")
    );
    assert_eq!(
        authorized_user(check_password(&h, KEY_C, "pw").await.unwrap()).id,
        me.id
    );
}

#[tokio::test]
async fn authorizations_list_reset_ttl_and_new_login_notice() {
    let (h, rec) = harness(SecurityLimits::default()).await;
    let me = h.register(KEY_A, PHONE, "Ann").await;
    code_login(&h, KEY_B).await.unwrap();
    // The first device hears about the second: a message from 777000 and updateNewAuthorization.
    let pushes: Vec<_> = rec
        .by_user
        .lock()
        .iter()
        .filter(|(u, _)| *u == me.id)
        .map(|(_, p)| p.clone())
        .collect();
    assert!(pushes.iter().any(|p| matches!(p, enums::Updates::UpdateShort(u) if matches!(u.update, enums::Update::NewAuthorization(_)))));
    let texts: Vec<(String, i64)> = pushes
        .iter()
        .filter_map(|p| match p {
            enums::Updates::Updates(u) => Some(u.updates.clone()),
            _ => None,
        })
        .flatten()
        .filter_map(|up| match up {
            enums::Update::NewMessage(types::UpdateNewMessage {
                message: enums::Message::Message(m),
                ..
            }) => {
                let from = match m.peer_id {
                    enums::Peer::User(u) => u.user_id,
                    _ => 0,
                };
                Some((m.message, from))
            }
            _ => None,
        })
        .collect();
    assert!(
        texts
            .iter()
            .any(|(t, from)| t.starts_with("New login. Dear Ann") && *from == 777_000),
        "{texts:?}"
    );

    let enums::account::Authorizations::Authorizations(list) = h
        .call(KEY_A, &functions::account::GetAuthorizations {})
        .await
        .unwrap();
    assert_eq!(list.authorization_ttl_days, 180);
    assert_eq!(list.authorizations.len(), 2);
    let views: Vec<types::Authorization> = list
        .authorizations
        .into_iter()
        .map(|enums::Authorization::Authorization(a)| a)
        .collect();
    let own = views.iter().find(|a| a.current).expect("current one");
    let other = views.iter().find(|a| !a.current).expect("other one");

    assert_eq!(
        h.call(
            KEY_A,
            &functions::account::ResetAuthorization { hash: own.hash }
        )
        .await
        .unwrap_err(),
        err(400, "HASH_INVALID")
    );
    assert_eq!(
        h.call(
            KEY_A,
            &functions::account::ResetAuthorization { hash: 12345 }
        )
        .await
        .unwrap_err(),
        err(400, "HASH_INVALID")
    );
    assert_eq!(
        h.call(
            KEY_A,
            &functions::account::ResetAuthorization { hash: other.hash }
        )
        .await,
        Ok(true)
    );
    assert!(rec.disconnected.lock().contains(&(me.id, KEY_B)));
    // The terminated device's next call: 401.
    assert_eq!(
        h.call(KEY_B, &functions::updates::GetState {})
            .await
            .unwrap_err(),
        err(401, "AUTH_KEY_UNREGISTERED")
    );

    // auth.resetAuthorizations ends every other one.
    code_login(&h, KEY_B).await.unwrap();
    code_login(&h, KEY_C).await.unwrap();
    assert_eq!(
        h.call(KEY_A, &functions::auth::ResetAuthorizations {})
            .await,
        Ok(true)
    );
    for key in [KEY_B, KEY_C] {
        assert_eq!(h.authsession.user_of(key).await.unwrap(), None);
    }
    assert_eq!(h.authsession.user_of(KEY_A).await.unwrap(), Some(me.id));

    // TTL: validated, stored, and idle devices end when the list is read.
    let ttl = |days| functions::account::SetAuthorizationTtl {
        authorization_ttl_days: days,
    };
    assert_eq!(
        h.call(KEY_A, &ttl(0)).await.unwrap_err(),
        err(400, "TTL_DAYS_INVALID")
    );
    assert_eq!(h.call(KEY_A, &ttl(7)).await, Ok(true));
    code_login(&h, KEY_B).await.unwrap();
    let mut later = h.ctx(KEY_A).await;
    later.now = NOW + 8 * 86_400;
    let enums::account::Authorizations::Authorizations(list) = h
        .call_ctx(&later, &functions::account::GetAuthorizations {})
        .await
        .unwrap();
    assert_eq!(list.authorization_ttl_days, 7);
    assert_eq!(
        list.authorizations.len(),
        1,
        "the idle device was terminated"
    );
    assert_eq!(h.authsession.user_of(KEY_B).await.unwrap(), None);
}
