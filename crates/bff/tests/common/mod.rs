//! Test harness: a `Bff` over an in-memory SQLite store and the in-process authsession,
//! called with TL-encoded requests exactly as the session layer calls it.
#![allow(dead_code)]

pub mod channel;
pub mod chat;
pub mod groups;

use std::sync::Arc;

use echo_authsession::{AuthSessionService, LocalAuthSession};
use echo_bff::{Bff, BffDeps, RpcContext, RpcError, RpcService, ServerConfig};
use echo_storage::Storage;
use echo_tl::{enums, functions, types, Deserializable, RemoteCall};

/// A fixed clock: tests never depend on wall time.
pub const NOW: i64 = 1_800_000_000;

pub struct Harness {
    pub bff: Bff,
    pub storage: Storage,
    pub authsession: Arc<LocalAuthSession>,
    /// Pushes go through this hub; tests attach a recording `PushTarget` to see them.
    pub sync_hub: Arc<echo_bff::LocalSyncHub>,
    pub now: i64,
    /// Where this harness's media files go (removed on drop).
    pub media_dir: std::path::PathBuf,
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.media_dir);
    }
}

impl Harness {
    pub async fn new() -> Harness {
        Harness::with_config(ServerConfig {
            dev_codes: true,
            ..ServerConfig::default()
        })
        .await
    }

    pub async fn with_config(config: ServerConfig) -> Harness {
        let storage = Storage::connect("sqlite::memory:").await.unwrap();
        let authsession = Arc::new(LocalAuthSession::new(storage.clone()));
        let sync_hub = Arc::new(echo_bff::LocalSyncHub::new());
        let media_dir = std::env::temp_dir().join(format!(
            "echo-bff-test-media-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        let bff = Bff::new(BffDeps {
            storage: storage.clone(),
            authsession: authsession.clone(),
            config,
            code_sender: Arc::new(echo_bff::LogCodeSender),
            messaging: echo_bff::Messaging::local(storage.clone(), sync_hub.clone()),
            media: echo_bff::local_media(media_dir.clone(), &storage, 2),
        });
        Harness {
            bff,
            storage,
            authsession,
            sync_hub,
            now: NOW,
            media_dir,
        }
    }

    /// The context the session layer would build for a message on permanent key `perm`.
    pub async fn ctx(&self, perm: i64) -> RpcContext {
        RpcContext {
            auth_key_id: perm,
            perm_auth_key_id: Some(perm),
            session_id: 1,
            msg_id: 1,
            layer: echo_tl::LAYER,
            user_id: self.authsession.user_of(perm).await.unwrap(),
            client_ip: None,
            client_dc: None,
            now: self.now,
        }
    }

    /// Invokes `req` on key `perm` and decodes the answer.
    pub async fn call<F: RemoteCall>(&self, perm: i64, req: &F) -> Result<F::Return, RpcError> {
        let ctx = self.ctx(perm).await;
        self.call_ctx(&ctx, req).await
    }

    pub async fn call_ctx<F: RemoteCall>(
        &self,
        ctx: &RpcContext,
        req: &F,
    ) -> Result<F::Return, RpcError> {
        let bytes = self.bff.invoke(ctx, &req.to_bytes()).await?;
        Ok(F::Return::from_bytes(&bytes).expect("answer decodes as the method's return type"))
    }

    pub async fn send_code(
        &self,
        perm: i64,
        phone: &str,
    ) -> Result<types::auth::SentCode, RpcError> {
        let req = functions::auth::SendCode {
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
        match self.call(perm, &req).await? {
            enums::auth::SentCode::Code(code) => Ok(code),
            other => panic!("unexpected sentCode {other:?}"),
        }
    }

    pub async fn sign_in(
        &self,
        perm: i64,
        phone: &str,
        hash: &str,
        code: &str,
    ) -> Result<enums::auth::Authorization, RpcError> {
        let req = functions::auth::SignIn {
            phone_number: phone.into(),
            phone_code_hash: hash.into(),
            phone_code: Some(code.into()),
            email_verification: None,
        };
        self.call(perm, &req).await
    }

    pub async fn sign_up(
        &self,
        perm: i64,
        phone: &str,
        hash: &str,
        first: &str,
    ) -> Result<enums::auth::Authorization, RpcError> {
        let req = functions::auth::SignUp {
            no_joined_notifications: false,
            phone_number: phone.into(),
            phone_code_hash: hash.into(),
            first_name: first.into(),
            last_name: String::new(),
        };
        self.call(perm, &req).await
    }

    /// Registers `phone` on key `perm` with the dev code and returns the new user.
    pub async fn register(&self, perm: i64, phone: &str, first: &str) -> types::User {
        let sent = self.send_code(perm, phone).await.unwrap();
        let signed_in = self
            .sign_in(perm, phone, &sent.phone_code_hash, "12345")
            .await
            .unwrap();
        assert!(matches!(
            signed_in,
            enums::auth::Authorization::SignUpRequired(_)
        ));
        let auth = self
            .sign_up(perm, phone, &sent.phone_code_hash, first)
            .await
            .unwrap();
        authorized_user(auth)
    }
}

pub fn authorized_user(auth: enums::auth::Authorization) -> types::User {
    match auth {
        enums::auth::Authorization::Authorization(a) => match a.user {
            enums::User::User(u) => u,
            other => panic!("unexpected user {other:?}"),
        },
        other => panic!("expected auth.authorization, got {other:?}"),
    }
}

pub fn err(code: i32, message: &str) -> RpcError {
    RpcError {
        code,
        message: message.into(),
    }
}

/// A request for the Saved Messages dialog.
pub fn send_to_self(text: &str, random_id: i64) -> functions::messages::SendMessage {
    functions::messages::SendMessage {
        no_webpage: false,
        silent: false,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer: enums::InputPeer::PeerSelf,
        reply_to: None,
        message: text.into(),
        random_id,
        reply_markup: None,
        entities: None,
        schedule_date: None,
        schedule_repeat_period: None,
        send_as: None,
        quick_reply_shortcut: None,
        effect: None,
        allow_paid_stars: None,
        suggested_post: None,
        rich_message: None,
    }
}

pub fn history(
    peer: enums::InputPeer,
    offset_id: i32,
    add_offset: i32,
    limit: i32,
) -> functions::messages::GetHistory {
    functions::messages::GetHistory {
        peer,
        offset_id,
        offset_date: 0,
        add_offset,
        limit,
        max_id: 0,
        min_id: 0,
        hash: 0,
    }
}

/// Message ids of a messages.Messages answer, in answer order, and its `count` if a slice.
pub fn history_ids(answer: &enums::messages::Messages) -> (Vec<i32>, Option<i32>) {
    let (messages, count) = match answer {
        enums::messages::Messages::Messages(m) => (&m.messages, None),
        enums::messages::Messages::Slice(s) => (&s.messages, Some(s.count)),
        other => panic!("unexpected {other:?}"),
    };
    let ids = messages
        .iter()
        .map(|m| match m {
            enums::Message::Message(m) => m.id,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    (ids, count)
}
