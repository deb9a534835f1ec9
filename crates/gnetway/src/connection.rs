//! One client connection: transport framing, handshakes for unencrypted messages, decryption of
//! encrypted ones, and encryption of what the bound session sends back
//! (core.telegram.org/mtproto/mtproto-transports, /mtproto/description).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use echo_authsession::{AuthKeyInfo, AuthKeyKind};
use echo_mtproto::crypto::AuthKey;
use echo_mtproto::handshake::{
    AuthKeyKind as NewKeyKind, DhConfig, HandshakeOutput, ServerHandshake,
};
use echo_mtproto::message::{self, auth_key_id};
use echo_mtproto::msg_id::MsgIdGenerator;
use echo_mtproto::transport::{ServerTransport, TransportConfig};
use echo_session::{ConnCommand, ConnectionSink};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::GatewayShared;

/// A connection that sends nothing decodable for this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// Transport error for an unknown auth key (the client makes a new key).
const ERR_UNKNOWN_KEY: i32 = -404;
/// Auth keys remembered per connection (clients use one; a few tolerate odd ones).
const KEYS_PER_CONNECTION: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("transport: {0}")]
    Transport(#[from] echo_mtproto::transport::TransportError),
    #[error("message: {0}")]
    Message(#[from] echo_mtproto::message::MessageError),
    #[error("handshake: {0}")]
    Handshake(#[from] echo_mtproto::handshake::HandshakeError),
    #[error("authsession: {0}")]
    AuthSession(#[from] echo_authsession::AuthSessionError),
    #[error("unknown auth key {0:016x}")]
    UnknownKey(u64),
}

fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

struct Conn {
    shared: Arc<GatewayShared>,
    transport: ServerTransport,
    handshake: Option<ServerHandshake>,
    plain_ids: MsgIdGenerator,
    /// The auth key of the last encrypted message (connections use one key in practice).
    /// Keys this connection has used, most recent last; sessions' answers are encrypted
    /// with their own key even when a connection carries several.
    keys: Vec<(AuthKeyInfo, AuthKey)>,
    sink: ConnectionSink,
    out: Vec<u8>,
}

pub async fn serve(
    shared: Arc<GatewayShared>,
    mut stream: TcpStream,
    peer: SocketAddr,
    conn_id: u64,
    shutdown: CancellationToken,
) -> Result<(), ConnectionError> {
    let _open = shared.metrics.as_ref().map(|m| m.connection_opened());
    let (tx, mut rx) = mpsc::unbounded_channel();
    let config = Arc::new(TransportConfig {
        secrets: shared.config.proxy_secrets.clone(),
    });
    let mut conn = Conn {
        transport: ServerTransport::new(config, rand::random()),
        handshake: None,
        plain_ids: MsgIdGenerator::new(),
        keys: Vec::new(),
        sink: ConnectionSink {
            conn_id,
            client_ip: Some(peer.ip()),
            dc_id: None,
            tx,
        },
        out: Vec::new(),
        shared,
    };
    let (mut reader, mut writer) = stream.split();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        tokio::select! {
            read = tokio::time::timeout(IDLE_TIMEOUT, reader.read(&mut buf)) => {
                let n = match read {
                    Ok(r) => r?,
                    Err(_) => break, // idle
                };
                if n == 0 {
                    break;
                }
                conn.transport.feed(&buf[..n]);
                let result = conn.drain_packets().await;
                if !conn.out.is_empty() {
                    writer.write_all(&conn.out).await?;
                    conn.out.clear();
                }
                result?;
            }
            cmd = rx.recv() => match cmd {
                Some(ConnCommand::Send { auth_key_id, msg }) => {
                    conn.encrypt_and_queue(auth_key_id, &msg)?;
                    // Coalesce whatever else is already queued into one write; a Close among
                    // it still closes, after what was queued before it is written.
                    let mut close = false;
                    while let Ok(cmd) = rx.try_recv() {
                        match cmd {
                            ConnCommand::Send { auth_key_id, msg } => {
                                conn.encrypt_and_queue(auth_key_id, &msg)?;
                            }
                            ConnCommand::Close => {
                                close = true;
                                break;
                            }
                        }
                    }
                    writer.write_all(&conn.out).await?;
                    conn.out.clear();
                    if close {
                        tracing::debug!(conn = conn.sink.conn_id, "closing connection at the session's request");
                        break;
                    }
                }
                Some(ConnCommand::Close) | None => {
                    tracing::debug!(conn = conn.sink.conn_id, "closing connection at the session's request");
                    break;
                }
            },
            _ = shutdown.cancelled() => break,
        }
    }
    let _ = writer.shutdown().await;
    Ok(())
}

impl Conn {
    async fn drain_packets(&mut self) -> Result<(), ConnectionError> {
        while let Some(packet) = self.transport.next_packet()? {
            if self.sink.dc_id.is_none() {
                self.sink.dc_id = self
                    .transport
                    .obfuscation_info()
                    .map(|o| i32::from(o.dc_id).abs())
                    .filter(|dc| *dc != 0);
            }
            let key_id = auth_key_id(&packet.payload)?;
            if key_id == 0 {
                self.on_plain(&packet.payload).await?;
            } else {
                self.on_encrypted(key_id, &packet.payload, packet.quick_ack_requested)
                    .await?;
            }
        }
        Ok(())
    }

    async fn on_plain(&mut self, payload: &[u8]) -> Result<(), ConnectionError> {
        let (_msg_id, body) = message::parse_plain(payload)?;
        let now = since_epoch().as_secs() as i64;
        let handshake = self.handshake.get_or_insert_with(|| {
            ServerHandshake::new(self.shared.rsa.clone(), DhConfig::telegram())
        });
        let output = match handshake.handle(body, &mut rand::rngs::OsRng, now) {
            Ok(output) => output,
            Err(e) => {
                if let Some(m) = &self.shared.metrics {
                    m.handshake_failed();
                }
                return Err(e.into());
            }
        };
        let (mut response, done) = match output {
            HandshakeOutput::Reply(response) => (response, None),
            HandshakeOutput::Done { response, key } => (response, Some(key)),
        };
        let done = match done {
            // A new key whose id collides with a stored one must not replace it: dh_gen_retry.
            Some(key)
                if self
                    .shared
                    .authsession
                    .get_auth_key(key.auth_key.id() as i64)
                    .await?
                    .is_some() =>
            {
                if let Some(h) = self.handshake.as_mut() {
                    response = h.reject_colliding_key()?;
                }
                None
            }
            other => other,
        };
        let msg_id = self.plain_ids.next(since_epoch(), true);
        let packet = message::build_plain(msg_id, &response);
        if let Some(new_key) = done {
            self.handshake = None;
            let id = new_key.auth_key.id() as i64;
            let (kind, expires_at) = match new_key.kind {
                NewKeyKind::Perm => (AuthKeyKind::Perm, None),
                NewKeyKind::Temp { expires_in } => {
                    (AuthKeyKind::Temp, Some(now + i64::from(expires_in)))
                }
            };
            let info = AuthKeyInfo {
                auth_key_id: id,
                auth_key: *new_key.auth_key.data(),
                kind,
                expires_at,
                perm_auth_key_id: None,
            };
            // Persist before answering: the client may use the key on another connection at once.
            self.shared.authsession.save_auth_key(info, now).await?;
            self.shared
                .sessions
                .register_first_salt(id, new_key.first_server_salt, now)
                .await;
            tracing::debug!(auth_key_id = id, "auth key created");
            if let Some(m) = &self.shared.metrics {
                m.handshake_completed(kind != AuthKeyKind::Perm);
            }
        }
        self.transport.encode_packet(&packet, &mut self.out)?;
        Ok(())
    }

    async fn on_encrypted(
        &mut self,
        key_id: u64,
        payload: &[u8],
        quick_ack: bool,
    ) -> Result<(), ConnectionError> {
        let position = self
            .keys
            .iter()
            .position(|(info, _)| info.auth_key_id == key_id as i64);
        if let Some(i) = position {
            let entry = self.keys.remove(i);
            self.keys.push(entry);
        } else {
            let now = since_epoch().as_secs() as i64;
            match self.shared.authsession.get_auth_key(key_id as i64).await? {
                Some(info) if echo_authsession::key_usable(&info, now) => {
                    let key = AuthKey::from_bytes(info.auth_key);
                    if self.keys.len() >= KEYS_PER_CONNECTION {
                        self.keys.remove(0);
                    }
                    self.keys.push((info, key));
                }
                _ => {
                    self.transport
                        .encode_transport_error(ERR_UNKNOWN_KEY, &mut self.out)?;
                    return Err(ConnectionError::UnknownKey(key_id));
                }
            }
        }
        let Some((info, key)) = self.keys.last() else {
            return Ok(());
        };
        let decrypted = match message::decrypt_client_message(key, payload) {
            Ok(d) => d,
            Err(e) => {
                // A message that fails its msg_key check is dropped, as the spec asks; the
                // connection stays (the client may be probing with a stale key).
                tracing::debug!(error = %e, "dropping undecryptable message");
                return Ok(());
            }
        };
        if quick_ack {
            self.transport
                .encode_quick_ack(decrypted.quick_ack_token, &mut self.out)?;
        }
        let info = info.clone();
        if let Some(m) = &self.shared.metrics {
            m.message_in();
        }
        self.shared
            .sessions
            .on_message(&info, decrypted.message, self.sink.clone())
            .await;
        Ok(())
    }

    fn encrypt_and_queue(
        &mut self,
        auth_key_id: i64,
        msg: &message::PlainMessage,
    ) -> Result<(), ConnectionError> {
        let Some((_, key)) = self
            .keys
            .iter()
            .find(|(info, _)| info.auth_key_id == auth_key_id)
        else {
            tracing::debug!(
                auth_key_id,
                "dropping a message for a key this connection no longer holds"
            );
            return Ok(());
        };
        let packet = message::encrypt_server_message(key, msg, &mut rand::thread_rng());
        self.transport.encode_packet(&packet, &mut self.out)?;
        Ok(())
    }
}
