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
use std::sync::atomic::Ordering;
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
    /// Close the connection and end the session (an operator banned the user or terminated
    /// the authorization): all sessions when `perm` is None, else those acting for that perm key.
    Close { perm: Option<i64> },
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
    /// Where logged-in sessions are announced (`SessionManager::set_presence`).
    pub presence: Mutex<Option<Arc<dyn echo_sync::PresenceDirectory>>>,
    /// This process's name in the presence directory: where pushes for its sessions go
    /// ("local" in one process; the session role's gRPC address when split).
    pub node: Mutex<String>,
    pub shutdown: CancellationToken,
}

impl Shared {
    /// Tells the presence directory (if any) that session `id` of `user` came or went.
    /// Runs in the background: presence is advisory and must not hold up a call.
    pub(crate) fn announce(&self, user: i64, id: (i64, i64), online: bool) {
        let Some(presence) = self.presence.lock().clone() else {
            return;
        };
        let node = self.node.lock().clone();
        let session = echo_sync::SessionAddr {
            auth_key_id: id.0,
            session_id: id.1,
        };
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        tokio::spawn(async move {
            if online {
                let entry = echo_sync::SessionPresence {
                    session,
                    node,
                    since,
                };
                presence.session_online(user, entry).await;
            } else {
                presence.session_offline(user, session).await;
            }
        });
    }
}

/// What the gateway needs of the session layer: the in-process [`SessionManager`], or a
/// client of the session role in another process (crate `echo-rpc`).
#[async_trait::async_trait]
pub trait SessionEntry: Send + Sync {
    /// Remembers the salt a handshake gave a new key, so its first messages are accepted.
    async fn register_first_salt(&self, auth_key_id: i64, salt: i64, now: i64);
    /// Hands a decrypted client message to its session; answers go to `conn`.
    async fn on_message(&self, key: &AuthKeyInfo, msg: PlainMessage, conn: ConnectionSink);
}

#[async_trait::async_trait]
impl SessionEntry for SessionManager {
    async fn register_first_salt(&self, auth_key_id: i64, salt: i64, now: i64) {
        SessionManager::register_first_salt(self, auth_key_id, salt, now);
    }

    async fn on_message(&self, key: &AuthKeyInfo, msg: PlainMessage, conn: ConnectionSink) {
        SessionManager::on_message(self, key, msg, conn).await;
    }
}

/// Counts of live sessions, for stats and metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionStats {
    pub sessions: usize,
    /// Users with a logged-in session (summed over processes when split).
    pub online_users: usize,
    /// Client messages waiting in session queues: all of them, and the deepest queue.
    pub queue_total: usize,
    pub queue_max: usize,
}

/// What operators and account actions need of the session layer, wherever it runs: the
/// local `SessionManager`, or every session instance of a split deployment.
#[async_trait::async_trait]
pub trait SessionControl: Send + Sync {
    /// Closes every session logged in as `user_id` (a banned user); returns how many.
    async fn disconnect_user(&self, user_id: i64) -> usize;
    /// Closes the sessions of `user_id` acting for permanent key `perm`.
    async fn disconnect_authorization(&self, user_id: i64, perm: i64) -> usize;
    async fn stats(&self) -> SessionStats;
}

#[async_trait::async_trait]
impl SessionControl for SessionManager {
    async fn disconnect_user(&self, user_id: i64) -> usize {
        SessionManager::disconnect_user(self, user_id)
    }

    async fn disconnect_authorization(&self, user_id: i64, perm: i64) -> usize {
        SessionManager::disconnect_authorization(self, user_id, perm).await
    }

    async fn stats(&self) -> SessionStats {
        let (queue_total, queue_max) = self.queue_depths();
        SessionStats {
            sessions: self.session_count(),
            online_users: self.online_users(),
            queue_total,
            queue_max,
        }
    }
}

/// Registry and entry point of all sessions of this process.
#[derive(Clone)]
pub struct SessionManager {
    shared: Arc<Shared>,
    metrics: Option<Arc<echo_metrics::Metrics>>,
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
                presence: Mutex::default(),
                node: Mutex::new("local".to_owned()),
                shutdown,
            }),
            metrics: None,
        }
    }

    /// Counts sessions created, pushes and server-side closes in `metrics`.
    pub fn with_metrics(mut self, metrics: Arc<echo_metrics::Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
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
                    if let Some(m) = &self.metrics {
                        m.sessions().created.fetch_add(1, Ordering::Relaxed);
                    }
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

    /// Announces every session that logs in (and ends) to `presence` from now on.
    pub fn set_presence(&self, presence: Arc<dyn echo_sync::PresenceDirectory>) {
        *self.shared.presence.lock() = Some(presence);
    }

    /// Announces this process to the presence directory as `node` (where pushes for its
    /// sessions must be sent) instead of "local".
    pub fn set_node(&self, node: impl Into<String>) {
        *self.shared.node.lock() = node.into();
    }

    /// Pushes an `Updates` object (newest layer) to every session logged in as `user_id`.
    pub fn push_to_user(&self, user_id: i64, updates: Vec<u8>) {
        self.push_to_user_except(user_id, None, Arc::new(updates));
    }

    /// Like [`Self::push_to_user`], skipping the session `except` (the one that made the
    /// change and gets the RPC answer instead); returns how many sessions it was queued for.
    pub fn push_to_user_except(
        &self,
        user_id: i64,
        except: Option<(i64, i64)>,
        updates: Arc<Vec<u8>>,
    ) -> usize {
        let ids = self
            .shared
            .user_sessions
            .lock()
            .get(&user_id)
            .cloned()
            .unwrap_or_default();
        let sessions = self.shared.sessions.lock();
        let mut queued = 0;
        for id in ids.into_iter().filter(|id| Some(*id) != except) {
            if let Some(tx) = sessions.get(&id) {
                // A full queue means the client is not reading; it will catch up with getDifference.
                let sent = tx.try_send(SessionInput::Push(updates.clone()));
                queued += usize::from(sent.is_ok());
                if let Some(m) = &self.metrics {
                    let counter = match sent {
                        Ok(()) => &m.sessions().pushes,
                        Err(_) => &m.sessions().pushes_dropped,
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        queued
    }

    /// Closes the connections of every session logged in as `user_id` and ends those sessions
    /// (a banned user). Returns how many sessions were told to close.
    pub fn disconnect_user(&self, user_id: i64) -> usize {
        let ids = self.sessions_of(user_id);
        self.close_sessions(&ids, None)
    }

    /// Like [`Self::disconnect_user`], but only the sessions acting for permanent key `perm`
    /// (directly or through a bound temp key): one terminated authorization.
    pub async fn disconnect_authorization(&self, user_id: i64, perm: i64) -> usize {
        let mut ids = self.sessions_of(user_id);
        let mut keep = Vec::with_capacity(ids.len());
        for id in ids.drain(..) {
            let acts_for_perm = id.0 == perm
                || matches!(
                    self.shared.authsession.get_auth_key(id.0).await,
                    Ok(Some(key)) if key.effective_perm_id() == Some(perm)
                );
            if acts_for_perm {
                keep.push(id);
            }
        }
        self.close_sessions(&keep, Some(perm))
    }

    /// Pushes `updates` to every session acting for permanent key `perm` (directly or through
    /// a bound temp key), logged in or not: a device waiting for a QR login has no user yet.
    /// Returns how many sessions it was queued for.
    pub async fn push_to_auth_key(&self, perm: i64, updates: Arc<Vec<u8>>) -> usize {
        let ids: Vec<(i64, i64)> = self.shared.sessions.lock().keys().copied().collect();
        let mut targets = Vec::new();
        for id in ids {
            let acts_for_perm = id.0 == perm
                || matches!(
                    self.shared.authsession.get_auth_key(id.0).await,
                    Ok(Some(key)) if key.effective_perm_id() == Some(perm)
                );
            if acts_for_perm {
                targets.push(id);
            }
        }
        let sessions = self.shared.sessions.lock();
        targets
            .iter()
            .filter_map(|id| sessions.get(id))
            .filter(|tx| tx.try_send(SessionInput::Push(updates.clone())).is_ok())
            .count()
    }

    fn sessions_of(&self, user_id: i64) -> Vec<(i64, i64)> {
        self.shared
            .user_sessions
            .lock()
            .get(&user_id)
            .cloned()
            .unwrap_or_default()
    }

    fn close_sessions(&self, ids: &[(i64, i64)], perm: Option<i64>) -> usize {
        let sessions = self.shared.sessions.lock();
        let mut told = 0;
        for id in ids {
            // Closing is not droppable like a push: a full queue means the session is busy
            // but alive, so the request waits on a task rather than being lost.
            if let Some(tx) = sessions.get(id) {
                match tx.try_send(SessionInput::Close { perm }) {
                    Ok(()) => {}
                    Err(mpsc::error::TrySendError::Full(input)) => {
                        let tx = tx.clone();
                        tokio::spawn(async move {
                            let _ = tx.send(input).await;
                        });
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => continue,
                }
                told += 1;
            }
        }
        if let Some(m) = &self.metrics {
            m.sessions()
                .closed_by_server
                .fetch_add(told as u64, Ordering::Relaxed);
        }
        told
    }

    /// Users with at least one logged-in session on this server.
    pub fn online_users(&self) -> usize {
        self.shared.user_sessions.lock().len()
    }

    /// Messages waiting in session queues: (total, deepest single queue).
    pub fn queue_depths(&self) -> (usize, usize) {
        let sessions = self.shared.sessions.lock();
        sessions
            .values()
            .map(|tx| tx.max_capacity().saturating_sub(tx.capacity()))
            .fold((0, 0), |(total, max), d| (total + d, max.max(d)))
    }

    /// Number of live sessions (for stats).
    pub fn session_count(&self) -> usize {
        self.shared.sessions.lock().len()
    }
}

/// The session layer as a delivery target of the in-process sync hub
/// (`echo_sync::LocalSyncHub::attach`).
#[async_trait::async_trait]
impl echo_sync::PushTarget for SessionManager {
    fn deliver(
        &self,
        user_id: i64,
        except: Option<echo_sync::SessionAddr>,
        updates: Arc<Vec<u8>>,
    ) -> usize {
        let except = except.map(|s| (s.auth_key_id, s.session_id));
        self.push_to_user_except(user_id, except, updates)
    }

    async fn deliver_to_auth_key(&self, perm_auth_key_id: i64, updates: Arc<Vec<u8>>) -> usize {
        self.push_to_auth_key(perm_auth_key_id, updates).await
    }

    async fn disconnect_auth_key(&self, user_id: i64, perm_auth_key_id: i64) -> usize {
        self.disconnect_authorization(user_id, perm_auth_key_id)
            .await
    }
}
