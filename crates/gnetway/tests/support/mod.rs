//! Test support for the in-process MTProto integration tests: a whole server stack
//! ([`stack`]), a client connection ([`wire`]) and an encrypted session on it ([`client`]),
//! plus the login flow of core.telegram.org/api/auth used by several tests.

pub mod client;
pub mod stack;
pub mod wire;

use anyhow::bail;
use echo_tl::{enums, functions, types};

pub use client::{Client, Incoming, RpcAnswer, SessionState};
pub use stack::{StackOptions, TempDir, TestServer};
pub use wire::{TransportChoice, Wire, WAIT};

/// A phone number unique enough for one test.
pub fn test_phone() -> String {
    format!("+1555{:07}", rand::random::<u32>() % 10_000_000)
}

/// auth.sendCode → auth.signIn (expects sign-up) → auth.signUp; returns the new user.
pub async fn sign_up(client: &mut Client, phone: &str) -> anyhow::Result<types::User> {
    let sent = client
        .call(&functions::auth::SendCode {
            phone_number: phone.into(),
            api_id: 4,
            api_hash: "014b35b6184100b085b0d0572f9b5103".into(),
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
        })
        .await?;
    let enums::auth::SentCode::Code(sent) = sent else {
        bail!("unexpected sentCode variant {sent:?}")
    };
    let signed_in = client
        .call(&functions::auth::SignIn {
            phone_number: phone.into(),
            phone_code_hash: sent.phone_code_hash.clone(),
            phone_code: Some("12345".into()),
            email_verification: None,
        })
        .await?;
    if !matches!(signed_in, enums::auth::Authorization::SignUpRequired(_)) {
        bail!("expected authorizationSignUpRequired, got {signed_in:?}");
    }
    let signed_up = client
        .call(&functions::auth::SignUp {
            no_joined_notifications: false,
            phone_number: phone.into(),
            phone_code_hash: sent.phone_code_hash,
            first_name: "Test".into(),
            last_name: "User".into(),
        })
        .await?;
    match signed_up {
        enums::auth::Authorization::Authorization(auth) => match auth.user {
            enums::User::User(user) => Ok(user),
            other => bail!("signUp returned {other:?}"),
        },
        other => bail!("signUp returned {other:?}"),
    }
}

/// users.getUsers([inputUserSelf]); the rpc_error as an `Err` answer.
pub async fn get_self(client: &mut Client) -> anyhow::Result<Result<types::User, RpcAnswer>> {
    let request = functions::users::GetUsers {
        id: vec![enums::InputUser::UserSelf],
    };
    let answer = client
        .invoke_raw(&echo_tl::Serializable::to_bytes(&request))
        .await?;
    let RpcAnswer::Ok(bytes) = answer else {
        return Ok(Err(answer));
    };
    let users = <Vec<enums::User> as echo_tl::Deserializable>::from_bytes(&bytes)?;
    match users.into_iter().next() {
        Some(enums::User::User(user)) => Ok(Ok(user)),
        other => bail!("getUsers returned {other:?}"),
    }
}
