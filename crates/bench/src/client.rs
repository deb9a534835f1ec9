//! An encrypted MTProto session over a [`Wire`] (core.telegram.org/mtproto/description): msg_id,
//! seqno and salt bookkeeping, calls with their `rpc_result`s, `bad_server_salt` retries
//! (/mtproto/service_messages_about_messages), and everything else the server pushes kept as
//! updates for the scenario to read.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use crate::envelope::{self, GZIP_PACKED, MSG_CONTAINER, RPC_RESULT};
use anyhow::{anyhow, bail, Context};
use echo_mtproto::crypto::AuthKey;
use echo_mtproto::handshake::ClientAuthKey;
use echo_mtproto::message::{self, PlainMessage};
use echo_mtproto::rsa_key::ServerPublicKey;
use echo_mtproto::transport::TransportKind;
use echo_tl::{functions, types, Blob, Deserializable, Identifiable, RemoteCall, Serializable};

use crate::wire::{msg_id_now, Wire};

/// The layer the tool speaks (the newest the server knows).
pub const LAYER: i32 = echo_tl::LAYER;

/// Acks are sent once this many content messages from the server wait for one.
const ACK_BATCH: usize = 32;

/// A key and its session: what a device keeps between connections.
#[derive(Clone, Debug)]
pub struct Session {
    pub key: AuthKey,
    pub salt: i64,
    pub session_id: i64,
    content_sent: i32,
    last_msg_id: i64,
}

impl Session {
    pub fn new(key: &ClientAuthKey) -> Self {
        Self::with_key(key.auth_key.clone(), key.first_server_salt)
    }

    /// A new session (fresh session_id) on an existing key.
    pub fn with_key(key: AuthKey, salt: i64) -> Self {
        Self {
            key,
            salt,
            session_id: rand::random(),
            content_sent: 0,
            last_msg_id: 0,
        }
    }

    fn next_msg_id(&mut self) -> i64 {
        let id = msg_id_now().max(self.last_msg_id + 4);
        self.last_msg_id = id;
        id
    }

    fn next_seq_no(&mut self, content: bool) -> i32 {
        if content {
            self.content_sent += 1;
            self.content_sent * 2 - 1
        } else {
            self.content_sent * 2
        }
    }
}

/// A server message, decrypted and classified.
#[derive(Clone, Debug)]
pub enum Incoming {
    RpcResult {
        req_msg_id: i64,
        result: Vec<u8>,
    },
    BadServerSalt {
        bad_msg_id: i64,
        new_salt: i64,
    },
    BadMsg {
        bad_msg_id: i64,
        code: i32,
    },
    Pong {
        ping_id: i64,
    },
    /// Updates and anything else, undecoded.
    Other(Vec<u8>),
}

/// An update (or other unsolicited message) and when it was read.
#[derive(Clone, Debug)]
pub struct Pushed {
    pub at: Instant,
    pub body: Vec<u8>,
}

/// The answer to one call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RpcAnswer {
    Ok(Vec<u8>),
    Error { code: i32, message: String },
}

impl RpcAnswer {
    pub fn ok(self) -> anyhow::Result<Vec<u8>> {
        match self {
            Self::Ok(bytes) => Ok(bytes),
            Self::Error { code, message } => bail!("rpc_error {code} {message}"),
        }
    }
}

fn parse_rpc_answer(result: Vec<u8>) -> anyhow::Result<RpcAnswer> {
    if envelope::constructor_of(&result) == Some(types::RpcError::CONSTRUCTOR_ID) {
        let err = types::RpcError::from_bytes(result.get(4..).unwrap_or_default())
            .context("rpc_error")?;
        return Ok(RpcAnswer::Error {
            code: err.error_code,
            message: err.error_message,
        });
    }
    Ok(RpcAnswer::Ok(result))
}

fn classify(body: Vec<u8>) -> anyhow::Result<Incoming> {
    let id = envelope::constructor_of(&body).ok_or_else(|| anyhow!("empty server message"))?;
    let rest = body.get(4..).unwrap_or_default();
    Ok(if id == RPC_RESULT {
        let req_msg_id = i64::from_bytes(rest).context("rpc_result req_msg_id")?;
        let mut result = rest.get(8..).unwrap_or_default().to_vec();
        if envelope::constructor_of(&result) == Some(GZIP_PACKED) {
            result = envelope::inflate(&result)?;
        }
        Incoming::RpcResult { req_msg_id, result }
    } else if id == types::BadServerSalt::CONSTRUCTOR_ID {
        let b = types::BadServerSalt::from_bytes(rest)?;
        Incoming::BadServerSalt {
            bad_msg_id: b.bad_msg_id,
            new_salt: b.new_server_salt,
        }
    } else if id == types::BadMsgNotification::CONSTRUCTOR_ID {
        let b = types::BadMsgNotification::from_bytes(rest)?;
        Incoming::BadMsg {
            bad_msg_id: b.bad_msg_id,
            code: b.error_code,
        }
    } else if id == types::Pong::CONSTRUCTOR_ID {
        Incoming::Pong {
            ping_id: types::Pong::from_bytes(rest)?.ping_id,
        }
    } else {
        Incoming::Other(body)
    })
}

/// A client connection with an auth key and a session.
pub struct Client {
    pub wire: Wire,
    pub session: Session,
    pending: VecDeque<Incoming>,
    /// Content messages from the server not acknowledged yet.
    acks: Vec<i64>,
    /// Unsolicited messages (updates), in arrival order; only kept when `keep_pushed` is set.
    pub pushed: VecDeque<Pushed>,
    pub keep_pushed: bool,
}

impl Client {
    /// Connects and creates a new permanent key.
    pub async fn connect_new(addr: SocketAddr, key: &ServerPublicKey) -> anyhow::Result<Self> {
        let mut wire = Wire::connect(addr, TransportKind::Intermediate).await?;
        let auth = wire.create_key(key.clone()).await?;
        Ok(Self::new(wire, Session::new(&auth)))
    }

    /// Opens a connection for an existing session.
    pub async fn resume(addr: SocketAddr, session: Session) -> anyhow::Result<Self> {
        let wire = Wire::connect(addr, TransportKind::Intermediate).await?;
        Ok(Self::new(wire, session))
    }

    pub fn new(wire: Wire, session: Session) -> Self {
        Self {
            wire,
            session,
            pending: VecDeque::new(),
            acks: Vec::new(),
            pushed: VecDeque::new(),
            keep_pushed: false,
        }
    }

    /// Sends `body` with a fresh msg_id (pending acks go along in a container); returns the msg_id.
    pub async fn send_body(&mut self, body: &[u8], content: bool) -> anyhow::Result<i64> {
        let ack = (!self.acks.is_empty()).then(|| {
            let ack = types::MsgsAck {
                msg_ids: std::mem::take(&mut self.acks),
            }
            .to_bytes();
            (
                self.session.next_msg_id(),
                self.session.next_seq_no(false),
                ack,
            )
        });
        let msg_id = self.session.next_msg_id();
        let seq_no = self.session.next_seq_no(content);
        let msg = match ack {
            None => self.envelope(msg_id, seq_no, body.to_vec()),
            Some((ack_id, ack_seq, ack)) => {
                // A container's msg_id is greater than those of the messages it holds.
                let mut out = Vec::with_capacity(body.len() + ack.len() + 40);
                MSG_CONTAINER.serialize(&mut out);
                2i32.serialize(&mut out);
                for (id, seq, inner) in [(ack_id, ack_seq, &ack[..]), (msg_id, seq_no, body)] {
                    id.serialize(&mut out);
                    seq.serialize(&mut out);
                    (inner.len() as i32).serialize(&mut out);
                    out.extend_from_slice(inner);
                }
                let outer_id = self.session.next_msg_id();
                let outer_seq = self.session.next_seq_no(false);
                self.envelope(outer_id, outer_seq, out)
            }
        };
        let packet =
            message::encrypt_client_message(&self.session.key, &msg, &mut rand::thread_rng());
        self.wire.send(&packet).await?;
        Ok(msg_id)
    }

    fn envelope(&self, msg_id: i64, seq_no: i32, body: Vec<u8>) -> PlainMessage {
        PlainMessage {
            salt: self.session.salt,
            session_id: self.session.session_id,
            msg_id,
            seq_no,
            body,
        }
    }

    /// The next server message (containers opened); an error on EOF or timeout.
    pub async fn recv(&mut self) -> anyhow::Result<Incoming> {
        loop {
            if let Some(next) = self.pending.pop_front() {
                return Ok(next);
            }
            let packet = self.wire.recv_packet().await?;
            let msg = message::decrypt_server_message(&self.session.key, &packet)
                .map_err(|e| anyhow!("decrypt: {e}"))?;
            if msg.body.starts_with(&MSG_CONTAINER.to_le_bytes()) {
                for (msg_id, seq_no, body) in envelope::parse_container(&msg.body)? {
                    self.take(msg_id, seq_no, body)?;
                }
            } else {
                self.take(msg.msg_id, msg.seq_no, msg.body)?;
            }
        }
    }

    fn take(&mut self, msg_id: i64, seq_no: i32, body: Vec<u8>) -> anyhow::Result<()> {
        if seq_no % 2 == 1 {
            self.acks.push(msg_id);
        }
        match classify(body)? {
            Incoming::Other(body) => {
                if self.keep_pushed {
                    self.pushed.push_back(Pushed {
                        at: Instant::now(),
                        body: body.clone(),
                    });
                }
                self.pending.push_back(Incoming::Other(body));
            }
            other => self.pending.push_back(other),
        }
        Ok(())
    }

    /// Waits for the next unsolicited message (update), acknowledging in batches.
    pub async fn next_pushed(&mut self) -> anyhow::Result<Pushed> {
        loop {
            if let Incoming::Other(body) = self.recv().await? {
                if self.acks.len() >= ACK_BATCH {
                    self.send_acks().await?;
                }
                return Ok(Pushed {
                    at: Instant::now(),
                    body,
                });
            }
        }
    }

    /// Sends a lone msgs_ack for what arrived so far.
    pub async fn send_acks(&mut self) -> anyhow::Result<()> {
        if self.acks.is_empty() {
            return Ok(());
        }
        let ack = types::MsgsAck {
            msg_ids: std::mem::take(&mut self.acks),
        }
        .to_bytes();
        self.send_body(&ack, false).await.map(|_| ())
    }

    /// Sends a call and waits for its answer; `bad_server_salt` switches salt and resends.
    pub async fn invoke_raw(&mut self, body: &[u8]) -> anyhow::Result<RpcAnswer> {
        for _ in 0..3 {
            let msg_id = self.send_body(body, true).await?;
            loop {
                match self.recv().await? {
                    Incoming::RpcResult { req_msg_id, result } if req_msg_id == msg_id => {
                        return parse_rpc_answer(result)
                    }
                    Incoming::BadServerSalt {
                        bad_msg_id,
                        new_salt,
                    } if bad_msg_id == msg_id => {
                        self.session.salt = new_salt;
                        break;
                    }
                    Incoming::BadMsg { bad_msg_id, code } if bad_msg_id == msg_id => {
                        bail!("bad_msg_notification {code} for a call")
                    }
                    _ => {}
                }
            }
        }
        bail!("the server kept rejecting the salt")
    }

    /// Sends every body with up to `window` calls in flight and returns the answers in order
    /// (`bad_server_salt` resends the call with the new salt). An error means the connection
    /// failed; answers received before that are in `done`, in completion order.
    pub async fn call_pipelined(
        &mut self,
        bodies: Vec<Vec<u8>>,
        window: usize,
        done: &mut Vec<(usize, RpcAnswer)>,
    ) -> anyhow::Result<()> {
        let mut in_flight: std::collections::HashMap<i64, usize> = Default::default();
        let mut next = 0;
        while next < bodies.len() || !in_flight.is_empty() {
            while next < bodies.len() && in_flight.len() < window.max(1) {
                let body = bodies.get(next).map(Vec::as_slice).unwrap_or_default();
                let msg_id = self.send_body(body, true).await?;
                in_flight.insert(msg_id, next);
                next += 1;
            }
            match self.recv().await? {
                Incoming::RpcResult { req_msg_id, result } => {
                    if let Some(index) = in_flight.remove(&req_msg_id) {
                        done.push((index, parse_rpc_answer(result)?));
                    }
                }
                Incoming::BadServerSalt {
                    bad_msg_id,
                    new_salt,
                } => {
                    self.session.salt = new_salt;
                    if let Some(index) = in_flight.remove(&bad_msg_id) {
                        let body = bodies.get(index).map(Vec::as_slice).unwrap_or_default();
                        let msg_id = self.send_body(body, true).await?;
                        in_flight.insert(msg_id, index);
                    }
                }
                Incoming::BadMsg { bad_msg_id, code } if in_flight.contains_key(&bad_msg_id) => {
                    bail!("bad_msg_notification {code} for a call")
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Calls a method of the newest layer and decodes its result.
    pub async fn call<R: RemoteCall>(&mut self, request: &R) -> anyhow::Result<R::Return> {
        let bytes = self.invoke_raw(&request.to_bytes()).await?.ok()?;
        Ok(R::Return::from_bytes(&bytes)?)
    }

    /// Calls `request` wrapped in invokeWithLayer(LAYER, initConnection(...)), as a client's
    /// first call on a connection.
    pub async fn call_init<R: RemoteCall>(&mut self, request: &R) -> anyhow::Result<R::Return> {
        let body = functions::InvokeWithLayer {
            layer: LAYER,
            query: functions::InitConnection {
                api_id: 4,
                device_model: "echo-bench".into(),
                system_version: "linux".into(),
                app_version: "0.1".into(),
                system_lang_code: "en".into(),
                lang_pack: "".into(),
                lang_code: "en".into(),
                proxy: None,
                params: None,
                query: Blob(request.to_bytes()),
            },
        }
        .to_bytes();
        let bytes = self.invoke_raw(&body).await?.ok()?;
        Ok(R::Return::from_bytes(&bytes)?)
    }

    /// A ping (core.telegram.org/mtproto/service_messages#ping) answered by its pong.
    pub async fn ping(&mut self) -> anyhow::Result<()> {
        let ping_id: i64 = rand::random();
        let body = functions::Ping { ping_id }.to_bytes();
        self.send_body(&body, true).await?;
        loop {
            if let Incoming::Pong { ping_id: id } = self.recv().await? {
                if id == ping_id {
                    return Ok(());
                }
            }
        }
    }
}
