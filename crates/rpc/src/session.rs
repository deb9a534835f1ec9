//! The session role over gRPC (core.telegram.org/mtproto/description: sessions outlive
//! connections). A gateway opens one `Attach` stream per client connection and session
//! instance: decrypted client messages go up, `ConnCommand`s (answers to encrypt, close)
//! come down. The instance is chosen by auth key id, so all sessions of one key live in one
//! process. `DeliverPush` lets the sync role hand a user's updates to the instance that
//! holds the user's sessions.
//!
//! [`SessionServer`] serves a `SessionManager`; [`RemoteSessions`] implements
//! `SessionEntry` for the gateway; [`SessionPusher`] is the sync role's client.

use std::collections::HashMap;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use echo_authsession::AuthKeyInfo;
use echo_mtproto::message::PlainMessage;
use echo_session::{ConnCommand, ConnectionSink, SessionControl, SessionEntry, SessionManager};
use parking_lot::Mutex;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use crate::convert::{key_from_pb, key_to_pb, plain_from_pb, plain_to_pb};
use crate::endpoints::Endpoints;
use crate::pb::conn_command::Command;
use crate::pb::session_client::SessionClient;
use crate::pb::session_server::{Session, SessionServer as Generated};
use crate::pb::{self, Empty};

/// Messages buffered per stream before the sender waits (back-pressure to the client).
const STREAM_BUFFER: usize = 256;

/// Serves this process's `SessionManager` to gateways and the sync role.
pub struct SessionServer {
    manager: SessionManager,
    next_conn_id: AtomicU64,
}

impl SessionServer {
    pub fn service(manager: SessionManager) -> Generated<Self> {
        Generated::new(Self {
            manager,
            next_conn_id: AtomicU64::new(1),
        })
    }
}

type CommandStream = Pin<Box<dyn Stream<Item = Result<pb::ConnCommand, Status>> + Send>>;

fn command_to_pb(cmd: ConnCommand) -> pb::ConnCommand {
    let command = match cmd {
        ConnCommand::Send { auth_key_id, msg } => Command::Send(pb::SendMessage {
            auth_key_id,
            msg: Some(plain_to_pb(msg)),
        }),
        ConnCommand::Close => Command::Close(Empty {}),
    };
    pb::ConnCommand {
        command: Some(command),
    }
}

#[async_trait]
impl Session for SessionServer {
    type AttachStream = CommandStream;

    async fn attach(
        &self,
        req: Request<Streaming<pb::ClientMessage>>,
    ) -> Result<Response<CommandStream>, Status> {
        let mut inbound = req.into_inner();
        let conn_id = self.next_conn_id.fetch_add(1, Ordering::Relaxed);
        let (cmd_tx, mut cmd_rx) = mpsc::unbounded_channel::<ConnCommand>();
        let (out_tx, out_rx) = mpsc::channel(STREAM_BUFFER);
        let manager = self.manager.clone();
        let (gone_tx, mut gone_rx) = tokio::sync::oneshot::channel::<()>();
        // Up: each client message to its session. The sink's sender lives in the session
        // actors; when the gateway ends the stream, `gone` stops the way down, which closes
        // the sink for every actor still holding it.
        tokio::spawn(async move {
            while let Ok(Some(m)) = inbound.message().await {
                let (key, msg) = match (key_from_pb(m.key), plain_from_pb(m.msg)) {
                    (Ok(k), Ok(msg)) => (k, msg),
                    _ => break,
                };
                let sink = ConnectionSink {
                    conn_id,
                    client_ip: m.client_ip.and_then(|ip| ip.parse::<IpAddr>().ok()),
                    dc_id: m.dc_id,
                    tx: cmd_tx.clone(),
                };
                manager.on_message(&key, msg, sink).await;
            }
            drop(gone_tx);
        });
        // Down: commands of the sessions to the gateway.
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    cmd = cmd_rx.recv() => match cmd {
                        Some(cmd) => {
                            if out_tx.send(Ok(command_to_pb(cmd))).await.is_err() {
                                break;
                            }
                        }
                        None => break,
                    },
                    _ = &mut gone_rx => break,
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(out_rx))))
    }

    async fn register_first_salt(
        &self,
        req: Request<pb::FirstSalt>,
    ) -> Result<Response<Empty>, Status> {
        let r = req.into_inner();
        self.manager
            .register_first_salt(r.auth_key_id, r.salt, r.now);
        Ok(Response::new(Empty {}))
    }

    async fn deliver_push(
        &self,
        req: Request<pb::Deliver>,
    ) -> Result<Response<pb::Delivered>, Status> {
        let r = req.into_inner();
        let except = r.except.map(|e| (e.auth_key_id, e.session_id));
        let n = self
            .manager
            .push_to_user_except(r.user_id, except, Arc::new(r.updates));
        Ok(delivered(n))
    }

    async fn deliver_to_auth_key(
        &self,
        req: Request<pb::AuthKeyPush>,
    ) -> Result<Response<pb::Delivered>, Status> {
        let r = req.into_inner();
        let n = self
            .manager
            .push_to_auth_key(r.perm_auth_key_id, Arc::new(r.updates))
            .await;
        Ok(delivered(n))
    }

    async fn disconnect_user(
        &self,
        req: Request<pb::UserId>,
    ) -> Result<Response<pb::Delivered>, Status> {
        Ok(delivered(
            self.manager.disconnect_user(req.into_inner().user_id),
        ))
    }

    async fn disconnect_authorization(
        &self,
        req: Request<pb::UserKey>,
    ) -> Result<Response<pb::Delivered>, Status> {
        let r = req.into_inner();
        let n = self
            .manager
            .disconnect_authorization(r.user_id, r.perm_auth_key_id)
            .await;
        Ok(delivered(n))
    }

    async fn stats(&self, _req: Request<Empty>) -> Result<Response<pb::SessionStats>, Status> {
        let s = SessionControl::stats(&self.manager).await;
        Ok(Response::new(pb::SessionStats {
            sessions: s.sessions as u64,
            online_users: s.online_users as u64,
            queue_total: s.queue_total as u64,
            queue_max: s.queue_max as u64,
        }))
    }
}

fn delivered(n: usize) -> Response<pb::Delivered> {
    Response::new(pb::Delivered {
        sessions: u32::try_from(n).unwrap_or(u32::MAX),
    })
}

/// (gateway connection, session instance) → the way up of its stream.
type Streams = Arc<Mutex<HashMap<(u64, String), mpsc::Sender<pb::ClientMessage>>>>;

/// The session role in other processes, as the gateway sees it.
pub struct RemoteSessions {
    endpoints: Arc<Endpoints>,
    streams: Streams,
}

impl RemoteSessions {
    pub fn new(endpoints: Arc<Endpoints>) -> Self {
        Self {
            endpoints,
            streams: Arc::default(),
        }
    }

    /// Opens the stream of `conn` to instance `addr` and starts relaying its commands.
    async fn open(
        &self,
        addr: &str,
        channel: tonic::transport::Channel,
        conn: &ConnectionSink,
    ) -> Result<mpsc::Sender<pb::ClientMessage>, Status> {
        let (up_tx, up_rx) = mpsc::channel(STREAM_BUFFER);
        let mut down = SessionClient::new(channel)
            .attach(ReceiverStream::new(up_rx))
            .await?
            .into_inner();
        let key = (conn.conn_id, addr.to_owned());
        self.streams.lock().insert(key.clone(), up_tx.clone());
        let streams = self.streams.clone();
        let tx = conn.tx.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    cmd = down.message() => match cmd {
                        Ok(Some(pb::ConnCommand { command: Some(Command::Send(s)) })) => {
                            let Ok(msg) = plain_from_pb(s.msg) else { continue };
                            let cmd = ConnCommand::Send { auth_key_id: s.auth_key_id, msg };
                            if tx.send(cmd).is_err() {
                                break;
                            }
                        }
                        Ok(Some(pb::ConnCommand { command: Some(Command::Close(_)) })) => {
                            let _ = tx.send(ConnCommand::Close);
                        }
                        Ok(Some(_)) => {}
                        Ok(None) => break,
                        Err(status) => {
                            // The session instance went away with the client's sessions;
                            // closing makes the client reconnect and start new ones.
                            tracing::warn!(code = ?status.code(), "session stream broke");
                            let _ = tx.send(ConnCommand::Close);
                            break;
                        }
                    },
                    _ = tx.closed() => break,
                }
            }
            streams.lock().remove(&key);
        });
        Ok(up_tx)
    }
}

#[async_trait]
impl SessionEntry for RemoteSessions {
    async fn register_first_salt(&self, auth_key_id: i64, salt: i64, now: i64) {
        let req = pb::FirstSalt {
            auth_key_id,
            salt,
            now,
        };
        let sent = match self.endpoints.by_key(auth_key_id as u64) {
            Ok((_, channel)) => SessionClient::new(channel)
                .register_first_salt(req)
                .await
                .map(|_| ()),
            Err(s) => Err(s),
        };
        if let Err(s) = sent {
            // The client then gets bad_server_salt once and retries with the right salt.
            tracing::warn!(code = ?s.code(), message = s.message(), "first salt not registered");
        }
    }

    async fn on_message(&self, key: &AuthKeyInfo, msg: PlainMessage, conn: ConnectionSink) {
        let (addr, channel) = match self.endpoints.by_key(key.auth_key_id as u64) {
            Ok(found) => found,
            Err(s) => {
                // Dropped like a lost packet: the client resends after its timeout.
                tracing::warn!(message = s.message(), "no session instance");
                return;
            }
        };
        let existing = self
            .streams
            .lock()
            .get(&(conn.conn_id, addr.clone()))
            .cloned();
        let up = match existing {
            Some(up) => up,
            None => match self.open(&addr, channel, &conn).await {
                Ok(up) => up,
                Err(s) => {
                    tracing::warn!(%addr, code = ?s.code(), "cannot reach session instance");
                    return;
                }
            },
        };
        let message = pb::ClientMessage {
            key: Some(key_to_pb(key, false)),
            msg: Some(plain_to_pb(msg)),
            client_ip: conn.client_ip.map(|ip| ip.to_string()),
            dc_id: conn.dc_id,
        };
        if up.send(message).await.is_err() {
            self.streams.lock().remove(&(conn.conn_id, addr));
        }
    }
}

/// The sync role's way to the session instance holding a user's sessions.
#[derive(Debug, Clone)]
pub struct SessionPusher {
    endpoints: Arc<Endpoints>,
}

impl SessionPusher {
    pub fn new(endpoints: Arc<Endpoints>) -> Self {
        Self { endpoints }
    }

    /// Hands `updates` for `user_id` to instance `node`; returns the sessions reached.
    /// `Ok(0)` when the instance is not live any more (its sessions are gone with it).
    pub async fn deliver(
        &self,
        node: &str,
        user_id: i64,
        except: Option<echo_sync::SessionAddr>,
        updates: Vec<u8>,
    ) -> Result<u32, Status> {
        let Some(channel) = self.endpoints.get(node) else {
            return Ok(0);
        };
        let req = pb::Deliver {
            user_id,
            except: except.map(|e| pb::SessionAddr {
                auth_key_id: e.auth_key_id,
                session_id: e.session_id,
            }),
            updates,
        };
        let reply = SessionClient::new(channel).deliver_push(req).await?;
        Ok(reply.into_inner().sessions)
    }
}
