//! Echo e2e flow for grammers 0.11 (layer 230): connect to Echo as DC 2, sign up or log in with
//! the dev code 12345, getMe, send a message to Saved Messages and read it back from history.
//!
//! Usage: `echo-e2e-grammers HOST PORT PHONE signup|login|resume SESSION_FILE DEADLINE_SECONDS`.
//! Prints `RESULT OK` or `RESULT FAIL: why` and exits non-zero on failure. The signup phase
//! saves its user id, auth key and message to SESSION_FILE; login (new key) checks it gets the
//! same user, resume (after an echod restart) reuses the saved key without logging in.

use std::error::Error;
use std::net::{Ipv4Addr, SocketAddrV4, SocketAddrV6};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use grammers_client::Client;
use grammers_mtsender::SenderPool;
use grammers_session::storages::MemorySession;
use grammers_session::types::{DcOption, PeerRef};
use grammers_session::Session;
use grammers_tl_types as tl;

type Failure = Box<dyn Error + Send + Sync>;

/// Any api_id/api_hash: Echo does not check them.
const API_ID: i32 = 1;
const API_HASH: &str = "echo-e2e";
/// Echo's development login code (ECHO_DEV_CODES=1).
const DEV_CODE: &str = "12345";

struct Args {
    host: Ipv4Addr,
    port: u16,
    phone: String,
    phase: String,
    user_id_file: String,
    deadline: f64,
}

fn parse_args() -> Result<Args, Failure> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let [host, port, phone, phase, user_id_file, deadline] = argv.as_slice() else {
        return Err("usage: HOST PORT PHONE signup|login|resume SESSION_FILE DEADLINE".into());
    };
    Ok(Args {
        host: host.parse()?,
        port: port.parse()?,
        phone: phone.clone(),
        phase: phase.clone(),
        user_id_file: user_id_file.clone(),
        deadline: deadline.parse()?,
    })
}

fn step(name: &str) {
    println!("step: {name}");
}

/// sendCode + signIn, falling back to a raw auth.signUp: grammers' own `sign_in` returns
/// `SignUpRequired` and has no sign-up call, and its LoginToken hides the phone_code_hash.
async fn authorize(client: &Client, args: &Args) -> Result<(i64, bool), Failure> {
    step("auth.sendCode");
    let sent = client
        .invoke(&tl::functions::auth::SendCode {
            phone_number: args.phone.clone(),
            api_id: API_ID,
            api_hash: API_HASH.to_string(),
            settings: tl::types::CodeSettings {
                allow_flashcall: false,
                current_number: false,
                allow_app_hash: false,
                allow_missed_call: false,
                allow_firebase: false,
                unknown_number: false,
                logout_tokens: None,
                token: None,
                app_sandbox: None,
            }
            .into(),
        })
        .await?;
    let tl::enums::auth::SentCode::Code(sent) = sent else {
        return Err(format!("auth.sendCode answered {sent:?}").into());
    };
    step("auth.signIn");
    let signed_in = client
        .invoke(&tl::functions::auth::SignIn {
            phone_number: args.phone.clone(),
            phone_code_hash: sent.phone_code_hash.clone(),
            phone_code: Some(DEV_CODE.to_string()),
            email_verification: None,
        })
        .await?;
    let (authorization, signed_up) = match signed_in {
        tl::enums::auth::Authorization::Authorization(done) => (done, false),
        tl::enums::auth::Authorization::SignUpRequired(_) => {
            step("auth.signUp");
            let result = client
                .invoke(&tl::functions::auth::SignUp {
                    no_joined_notifications: false,
                    phone_number: args.phone.clone(),
                    phone_code_hash: sent.phone_code_hash,
                    first_name: "Grammers".to_string(),
                    last_name: "E2E".to_string(),
                })
                .await?;
            match result {
                tl::enums::auth::Authorization::Authorization(done) => (done, true),
                other => return Err(format!("auth.signUp answered {other:?}").into()),
            }
        }
    };
    let tl::enums::User::User(user) = authorization.user else {
        return Err("authorization carries userEmpty".into());
    };
    Ok((user.id, signed_up))
}

/// What the signup leaves in its session file for the login and resume phases
/// (`key=value` lines: user_id, auth_key as hex, signup_text).
struct SavedSignup {
    user_id: i64,
    auth_key: [u8; 256],
    signup_text: String,
}

impl SavedSignup {
    fn save(&self, path: &str) -> Result<(), Failure> {
        let key: String = self.auth_key.iter().map(|b| format!("{b:02x}")).collect();
        let text = format!(
            "user_id={}\nauth_key={key}\nsignup_text={}\n",
            self.user_id, self.signup_text
        );
        Ok(std::fs::write(path, text)?)
    }

    fn load(path: &str) -> Result<Self, Failure> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("session file {path}: {e} (did the signup pass?)"))?;
        let field = |name: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
                .ok_or_else(|| format!("session file {path} has no {name}"))
        };
        let hex = field("auth_key")?;
        let mut auth_key = [0u8; 256];
        if hex.len() != 512 {
            return Err(format!("session file {path}: auth_key is not 256 bytes").into());
        }
        for (i, byte) in auth_key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)?;
        }
        Ok(Self {
            user_id: field("user_id")?.parse()?,
            auth_key,
            signup_text: field("signup_text")?.to_string(),
        })
    }
}

/// Finds `text` among the newest messages of Saved Messages.
async fn history_has(client: &Client, me: PeerRef, text: &str) -> Result<bool, Failure> {
    let mut history = client.iter_messages(me).limit(20);
    while let Some(message) = history.next().await? {
        if message.text() == text {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn flow(args: &Args) -> Result<(), Failure> {
    let saved = match args.phase.as_str() {
        "signup" => None,
        "login" | "resume" => Some(SavedSignup::load(&args.user_id_file)?),
        other => return Err(format!("unknown phase {other}").into()),
    };
    let resumed_key = match (&saved, args.phase.as_str()) {
        (Some(saved), "resume") => Some(saved.auth_key),
        _ => None,
    };
    let session = Arc::new(MemorySession::default());
    session
        .set_dc_option(&DcOption {
            id: 2,
            ipv4: SocketAddrV4::new(args.host, args.port),
            ipv6: SocketAddrV6::new(args.host.to_ipv6_mapped(), args.port, 0, 0),
            auth_key: resumed_key,
        })
        .await?;
    session.set_home_dc_id(2).await?;
    let SenderPool { runner, handle, .. } = SenderPool::new(Arc::clone(&session), API_ID);
    let client = Client::new(handle);
    let runner_task = tokio::spawn(runner.run());

    let user_id = if resumed_key.is_some() {
        step("is_authorized with the signup's saved auth key (updates.getState)");
        if !client.is_authorized().await? {
            return Err("the signup's auth key is no longer authorized".into());
        }
        saved.as_ref().map(|s| s.user_id).unwrap_or_default()
    } else {
        step("is_authorized (updates.getState, expects 401)");
        if client.is_authorized().await? {
            return Err("a brand-new auth key is already authorized".into());
        }
        let (user_id, signed_up) = authorize(&client, args).await?;
        println!("authorized user {user_id} (signed up: {signed_up})");
        match &saved {
            None if !signed_up => {
                return Err("expected auth.signIn to answer authorizationSignUpRequired".into())
            }
            Some(saved) if signed_up || user_id != saved.user_id => {
                return Err(
                    format!("login gave user {user_id}, signup had {}", saved.user_id).into(),
                )
            }
            _ => user_id,
        }
    };

    step("get_me (users.getUsers [inputUserSelf])");
    let me = client.get_me().await?;
    if me.id().bare_id_unchecked() != user_id {
        return Err(format!("get_me id {:?} != {user_id}", me.id()).into());
    }
    let me_ref = me
        .to_ref()
        .await?
        .ok_or("get_me user has no access hash to refer to")?;

    if let Some(saved) = &saved {
        step("the signup's message is in Saved Messages");
        if !history_has(&client, me_ref, &saved.signup_text).await? {
            return Err(format!("signup message {:?} not in history", saved.signup_text).into());
        }
    }

    let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let text = format!("grammers {} {nanos}", args.phase);
    step("send_message to Saved Messages");
    let sent = client.send_message(me_ref, text.as_str()).await?;
    println!("sent message id {}", sent.id());
    step("iter_messages (messages.getHistory)");
    if !history_has(&client, me_ref, &text).await? {
        return Err(format!("message {text:?} not found in Saved Messages history").into());
    }

    if saved.is_none() {
        let auth_key = session
            .dc_option(2)?
            .and_then(|dc| dc.auth_key)
            .ok_or("no auth key for DC 2 in the session after signup")?;
        SavedSignup {
            user_id,
            auth_key,
            signup_text: text,
        }
        .save(&args.user_id_file)?;
    }
    runner_task.abort();
    Ok(())
}

fn main() {
    let outcome = parse_args().and_then(|args| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let deadline = Duration::from_secs_f64(args.deadline.max(1.0));
        runtime.block_on(async {
            match tokio::time::timeout(deadline, flow(&args)).await {
                Ok(result) => result,
                Err(_) => Err(format!("timed out after {deadline:?}").into()),
            }
        })
    });
    match outcome {
        Ok(()) => println!("RESULT OK"),
        Err(why) => {
            println!("RESULT FAIL: {why}");
            std::process::exit(1);
        }
    }
}
