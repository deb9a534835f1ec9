//! The login flow of core.telegram.org/api/auth as the load tool runs it: auth.sendCode →
//! auth.signIn (expects sign-up) → auth.signUp, with the development code 12345 (echod started
//! with ECHO_DEV_CODES=1).

use anyhow::bail;
use echo_tl::{enums, functions, types};

use crate::client::Client;

/// The code every phone gets when echod runs with development codes.
pub const DEV_CODE: &str = "12345";

/// A signed-up user as the tool needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BenchUser {
    pub id: i64,
    pub access_hash: i64,
}

impl BenchUser {
    pub fn input_peer(&self) -> enums::InputPeer {
        enums::InputPeer::User(types::InputPeerUser {
            user_id: self.id,
            access_hash: self.access_hash,
        })
    }
}

/// A phone number unlikely to collide within one database: `run` tells runs apart, `index`
/// users within a run.
pub fn bench_phone(run: u32, index: u32) -> String {
    format!("+99{:05}{:06}", run % 100_000, index % 1_000_000)
}

fn code_settings() -> enums::CodeSettings {
    enums::CodeSettings::Settings(types::CodeSettings {
        allow_flashcall: false,
        current_number: false,
        allow_app_hash: false,
        allow_missed_call: false,
        allow_firebase: false,
        unknown_number: false,
        logout_tokens: None,
        token: None,
        app_sandbox: None,
    })
}

/// Signs `phone` up on this connection (the first call carries initConnection).
pub async fn sign_up(client: &mut Client, phone: &str) -> anyhow::Result<BenchUser> {
    let sent = client
        .call_init(&functions::auth::SendCode {
            phone_number: phone.into(),
            api_id: 4,
            api_hash: "014b35b6184100b085b0d0572f9b5103".into(),
            settings: code_settings(),
        })
        .await?;
    let enums::auth::SentCode::Code(sent) = sent else {
        bail!("unexpected sentCode variant {sent:?}")
    };
    let signed_in = client
        .call(&functions::auth::SignIn {
            phone_number: phone.into(),
            phone_code_hash: sent.phone_code_hash.clone(),
            phone_code: Some(DEV_CODE.into()),
            email_verification: None,
        })
        .await?;
    let authorization = match signed_in {
        enums::auth::Authorization::SignUpRequired(_) => {
            client
                .call(&functions::auth::SignUp {
                    no_joined_notifications: false,
                    phone_number: phone.into(),
                    phone_code_hash: sent.phone_code_hash,
                    first_name: "Bench".into(),
                    last_name: "User".into(),
                })
                .await?
        }
        // An existing account (a rerun on the same database): logged in.
        other => other,
    };
    match authorization {
        enums::auth::Authorization::Authorization(auth) => match auth.user {
            enums::User::User(user) => Ok(BenchUser {
                id: user.id,
                access_hash: user.access_hash.unwrap_or(0),
            }),
            other => bail!("signUp returned {other:?}"),
        },
        other => bail!("signUp returned {other:?}"),
    }
}
