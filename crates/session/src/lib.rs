//! MTProto sessions (core.telegram.org/mtproto/description, /mtproto/service_messages,
//! /mtproto/service_messages_about_messages, /api/invoking). The gateway hands every decrypted
//! client message to [`SessionManager::on_message`]; each (auth key, session id) pair is an actor
//! task that checks msg_id and salt, answers service messages, unwraps containers and wrappers,
//! re-encodes calls from the client's layer to the newest one, calls the API ([`RpcService`]) and
//! sends results (re-encoded for the client's layer) back on the connection currently bound to it.
//! Sessions outlive connections: a reconnecting client finds its session (and layer) again.

mod actor;
pub mod envelope;
pub mod salts;
mod service;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use echo_authsession::{AuthKeyInfo, AuthSessionService};
use echo_bff::RpcService;
use echo_mtproto::message::PlainMessage;
use echo_tl::layers::LayerSet;
use parking_lot::Mutex;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub use salts::SaltOracle;

/// What a session asks of the connection it is bound to.
#[derive(Debug)]
pub enum ConnCommand {
    /// Encrypt with the given auth key (the session's) and send.
    Send { auth_key_id: i64, msg: PlainMessage },
    /// Close the connection (ping_delay_disconnect expired, or the session was destroyed).
    Close,
}

/// The sending half of a connection, as sessions see it.
#[derive(Clone, Debug)]
pub struct ConnectionSink {
    pub conn_id: u64,
    pub client_ip: Option<IpAddr>,
    /// The DC id from the obfuscated2 header, if the client sent one.
    pub dc_id: Option<i32>,
    pub tx: mpsc::UnboundedSender<ConnCommand>,
}

pub(crate) enum SessionInput {
    Client {
        msg: PlainMessage,
        conn: ConnectionSink,
    },
    /// A TL `Updates` object in the newest layer, to be pushed to the client.
    Push(Arc<Vec<u8>>),
}

/// Everything the session actors share.
pub(crate) struct Shared {
    pub rpc: Arc<dyn RpcService>,
    pub authsession: Arc<dyn AuthSessionService>,
    pub layers: Arc<LayerSet>,
    pub salts: SaltOracle,
    /// Salts handed out by handshakes (new_nonce ^ server_nonce), valid for their first window.
    pub first_salts: Mutex<HashMap<i64, (i64, i64)>>,
    pub sessions: Mutex<HashMap<(i64, i64), mpsc::Sender<SessionInput>>>,
    /// user id → sessions currently logged in as that user (for pushes).
    pub user_sessions: Mutex<HashMap<i64, Vec<(i64, i64)>>>,
    pub shutdown: CancellationToken,
}

/// Registry and entry point of all sessions of this process.
#[derive(Clone)]
pub struct SessionManager {
    shared: Arc<Shared>,
}

impl SessionManager {
    pub fn new(
        rpc: Arc<dyn RpcService>,
        authsession: Arc<dyn AuthSessionService>,
        layers: Arc<LayerSet>,
        salt_secret: [u8; 32],
        shutdown: CancellationToken,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                rpc,
                authsession,
                layers,
                salts: SaltOracle::new(salt_secret),
                first_salts: Mutex::default(),
                sessions: Mutex::default(),
                user_sessions: Mutex::default(),
                shutdown,
            }),
        }
    }

    /// Remembers the salt a handshake gave a new key, so its first messages are accepted.
    pub fn register_first_salt(&self, auth_key_id: i64, salt: i64, now: i64) {
        let mut first = self.shared.first_salts.lock();
        // Entries are only useful for one window; drop the stale ones as new keys arrive.
        first.retain(|_, (_, until)| *until > now);
        first.insert(auth_key_id, (salt, now + salts::SALT_WINDOW_SECS));
    }

    /// Hands a decrypted client message to its session, creating the session if needed.
    /// Awaits when the session's queue is full (back-pressure on the client's connection).
    pub async fn on_message(&self, key: &AuthKeyInfo, msg: PlainMessage, conn: ConnectionSink) {
        let id = (key.auth_key_id, msg.session_id);
        let tx = {
            let mut sessions = self.shared.sessions.lock();
            match sessions.get(&id) {
                Some(tx) if !tx.is_closed() => tx.clone(),
                _ => {
                    let tx = actor::spawn(self.shared.clone(), key.clone(), msg.session_id);
                    sessions.insert(id, tx.clone());
                    tx
                }
            }
        };
        if tx.send(SessionInput::Client { msg, conn }).await.is_err() {
            tracing::debug!(
                auth_key_id = key.auth_key_id,
                "session ended while a message was queued"
            );
        }
    }

    /// Pushes an `Updates` object (newest layer) to every session logged in as `user_id`.
    pub fn push_to_user(&self, user_id: i64, updates: Vec<u8>) {
        let updates = Arc::new(updates);
        let ids = self
            .shared
            .user_sessions
            .lock()
            .get(&user_id)
            .cloned()
            .unwrap_or_default();
        let sessions = self.shared.sessions.lock();
        for id in ids {
            if let Some(tx) = sessions.get(&id) {
                // A full queue means the client is not reading; it will catch up with getDifference.
                let _ = tx.try_send(SessionInput::Push(updates.clone()));
            }
        }
    }

    /// Number of live sessions (for stats).
    pub fn session_count(&self) -> usize {
        self.shared.sessions.lock().len()
    }
}
