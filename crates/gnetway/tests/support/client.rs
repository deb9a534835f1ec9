//! An encrypted MTProto session over a [`Wire`] (core.telegram.org/mtproto/description): the
//! client chooses salt, session_id, msg_id and seqno (or lets the helpers do it), and reads
//! the server's messages decrypted and classified (/mtproto/service_messages,
//! /mtproto/service_messages_about_messages).

use std::collections::VecDeque;

use anyhow::{anyhow, bail, Context};
use echo_mtproto::crypto::AuthKey;
use echo_mtproto::handshake::{ClientAuthKey, ClientOptions};
use echo_mtproto::message::{self, PlainMessage};
use echo_session::envelope::{self, GZIP_PACKED, MSG_CONTAINER, RPC_RESULT};
use echo_tl::{functions, types, Blob, Deserializable, Identifiable, RemoteCall, Serializable};

use super::stack::TestServer;
use super::wire::{msg_id_at, TransportChoice, Wire};

/// What a client keeps between connections: the key and its session.
#[derive(Clone, Debug)]
pub struct SessionState {
    pub key: AuthKey,
    pub salt: i64,
    pub session_id: i64,
    /// Content-related messages sent so far (seqno = 2 * this + 1 for the next one).
    pub content_sent: i32,
    pub last_msg_id: i64,
}

impl SessionState {
    pub fn new(key: &ClientAuthKey) -> Self {
        Self {
            key: key.auth_key.clone(),
            salt: key.first_server_salt,
            session_id: rand::random(),
            content_sent: 0,
            last_msg_id: 0,
        }
    }

    /// A fresh msg_id, strictly increasing within this session.
    pub fn next_msg_id(&mut self) -> i64 {
        let id = msg_id_at(0).max(self.last_msg_id + 4);
        self.last_msg_id = id;
        id
    }

    pub fn next_seq_no(&mut self, content: bool) -> i32 {
        if content {
            self.content_sent += 1;
            self.content_sent * 2 - 1
        } else {
            self.content_sent * 2
        }
    }
}

/// A server message, decrypted.
#[derive(Clone, Debug)]
pub struct Received {
    pub msg_id: i64,
    pub seq_no: i32,
    pub session_id: i64,
    pub body: Incoming,
}

/// What a server message is.
#[derive(Clone, Debug)]
pub enum Incoming {
    /// `rpc_result`, with a gzip_packed result already inflated.
    RpcResult {
        req_msg_id: i64,
        result: Vec<u8>,
    },
    Pong(types::Pong),
    FutureSalts(types::FutureSalts),
    NewSession(types::NewSessionCreated),
    BadServerSalt(types::BadServerSalt),
    BadMsg(types::BadMsgNotification),
    /// msgs_ack (its ids are only shown in failure messages).
    Ack(#[allow(dead_code)] Vec<i64>),
    /// Anything else (updates, ...), undecoded.
    Other(Vec<u8>),
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

pub fn parse_rpc_answer(result: &[u8]) -> anyhow::Result<RpcAnswer> {
    if result.get(..4) == Some(&types::RpcError::CONSTRUCTOR_ID.to_le_bytes()) {
        let err = types::RpcError::from_bytes(&result[4..]).context("rpc_error")?;
        return Ok(RpcAnswer::Error {
            code: err.error_code,
            message: err.error_message,
        });
    }
    Ok(RpcAnswer::Ok(result.to_vec()))
}

fn classify(body: &[u8]) -> anyhow::Result<Incoming> {
    let id = envelope::constructor_of(body).ok_or_else(|| anyhow!("empty server message"))?;
    let rest = &body[4..];
    Ok(if id == RPC_RESULT {
        let req_msg_id = i64::from_bytes(rest).context("rpc_result req_msg_id")?;
        let mut result = rest[8..].to_vec();
        if envelope::constructor_of(&result) == Some(GZIP_PACKED) {
            result = envelope::inflate(&result).map_err(|e| anyhow!("gzip_packed: {e}"))?;
        }
        Incoming::RpcResult { req_msg_id, result }
    } else if id == types::Pong::CONSTRUCTOR_ID {
        Incoming::Pong(types::Pong::from_bytes(rest)?)
    } else if id == types::FutureSalts::CONSTRUCTOR_ID {
        Incoming::FutureSalts(types::FutureSalts::from_bytes(rest)?)
    } else if id == types::NewSessionCreated::CONSTRUCTOR_ID {
        Incoming::NewSession(types::NewSessionCreated::from_bytes(rest)?)
    } else if id == types::BadServerSalt::CONSTRUCTOR_ID {
        Incoming::BadServerSalt(types::BadServerSalt::from_bytes(rest)?)
    } else if id == types::BadMsgNotification::CONSTRUCTOR_ID {
        Incoming::BadMsg(types::BadMsgNotification::from_bytes(rest)?)
    } else if id == types::MsgsAck::CONSTRUCTOR_ID {
        Incoming::Ack(types::MsgsAck::from_bytes(rest)?.msg_ids)
    } else {
        Incoming::Other(body.to_vec())
    })
}

/// A client connection with an auth key and a session.
pub struct Client {
    pub wire: Wire,
    pub state: SessionState,
    /// Every message received so far, in order (tests inspect it).
    pub received: Vec<Received>,
    pending: VecDeque<Received>,
}

impl Client {
    /// Connects and creates a permanent key with RSA_PAD over the default transport.
    pub async fn connect(server: &TestServer) -> anyhow::Result<Self> {
        Self::connect_with(server, TransportChoice::default(), ClientOptions::default()).await
    }

    pub async fn connect_with(
        server: &TestServer,
        transport: TransportChoice,
        options: ClientOptions,
    ) -> anyhow::Result<Self> {
        let mut wire = Wire::connect(server.addr, transport).await?;
        let key = wire.create_key(server.public_key(), options).await?;
        Ok(Self::new(wire, SessionState::new(&key)))
    }

    /// Opens a new connection for an existing key and session.
    pub async fn resume(
        server: &TestServer,
        transport: TransportChoice,
        state: SessionState,
    ) -> anyhow::Result<Self> {
        Ok(Self::new(
            Wire::connect(server.addr, transport).await?,
            state,
        ))
    }

    pub fn new(wire: Wire, state: SessionState) -> Self {
        Self {
            wire,
            state,
            received: Vec::new(),
            pending: VecDeque::new(),
        }
    }

    /// Encrypts and sends a message exactly as given.
    pub async fn send_message(&mut self, msg: &PlainMessage) -> anyhow::Result<()> {
        let packet = message::encrypt_client_message(&self.state.key, msg, &mut rand::thread_rng());
        self.wire.send(&packet).await
    }

    /// Sends `body` with the session's salt, a fresh msg_id and the next seqno; returns the msg_id.
    pub async fn send_body(&mut self, body: &[u8], content: bool) -> anyhow::Result<i64> {
        let msg = self.envelope(body.to_vec(), content);
        self.send_message(&msg).await?;
        Ok(msg.msg_id)
    }

    /// The message `send_body` would send (to alter before sending).
    pub fn envelope(&mut self, body: Vec<u8>, content: bool) -> PlainMessage {
        PlainMessage {
            salt: self.state.salt,
            session_id: self.state.session_id,
            msg_id: self.state.next_msg_id(),
            seq_no: self.state.next_seq_no(content),
            body,
        }
    }

    /// The next server message (containers are opened); an error on EOF or timeout.
    pub async fn recv(&mut self) -> anyhow::Result<Received> {
        if let Some(next) = self.pending.pop_front() {
            return Ok(next);
        }
        let packet = self.wire.recv_packet().await?;
        if let Some(code) =
            echo_mtproto::transport::ServerFrame::Packet(packet.clone()).transport_error()
        {
            bail!("transport error {code}");
        }
        let msg = message::decrypt_server_message(&self.state.key, &packet)
            .map_err(|e| anyhow!("decrypt: {e}"))?;
        if msg.session_id != self.state.session_id {
            bail!(
                "server message for session {:x}, expected {:x}",
                msg.session_id,
                self.state.session_id
            );
        }
        let mut inner = vec![(msg.msg_id, msg.seq_no, msg.body)];
        if envelope::constructor_of(&inner[0].2) == Some(MSG_CONTAINER) {
            let body = inner.remove(0).2;
            let parsed = envelope::parse_container(&body).map_err(|e| anyhow!("container: {e}"))?;
            inner = parsed
                .into_iter()
                .map(|m| (m.msg_id, m.seq_no, m.body.to_vec()))
                .collect();
        }
        for (msg_id, seq_no, body) in inner {
            let received = Received {
                msg_id,
                seq_no,
                session_id: msg.session_id,
                body: classify(&body)?,
            };
            self.received.push(received.clone());
            self.pending.push_back(received);
        }
        self.pending
            .pop_front()
            .ok_or_else(|| anyhow!("empty container"))
    }

    /// Receives until `pick` returns `Some`; the messages before it stay in `received`.
    pub async fn recv_until<T>(
        &mut self,
        mut pick: impl FnMut(&Received) -> Option<T>,
    ) -> anyhow::Result<T> {
        loop {
            let msg = self.recv().await?;
            if let Some(found) = pick(&msg) {
                return Ok(found);
            }
        }
    }

    /// Waits for the `rpc_result` of `req_msg_id`.
    pub async fn result_of(&mut self, req_msg_id: i64) -> anyhow::Result<RpcAnswer> {
        let result = self
            .recv_until(|m| match &m.body {
                Incoming::RpcResult {
                    req_msg_id: id,
                    result,
                } if *id == req_msg_id => Some(result.clone()),
                _ => None,
            })
            .await?;
        parse_rpc_answer(&result)
    }

    /// Sends a call and waits for its answer; a `bad_server_salt` for it switches to the new
    /// salt and sends the call again, as clients do.
    pub async fn invoke_raw(&mut self, body: &[u8]) -> anyhow::Result<RpcAnswer> {
        for _ in 0..3 {
            let msg_id = self.send_body(body, true).await?;
            let outcome = self
                .recv_until(|m| match &m.body {
                    Incoming::RpcResult { req_msg_id, result } if *req_msg_id == msg_id => {
                        Some(Ok(result.clone()))
                    }
                    Incoming::BadServerSalt(b) if b.bad_msg_id == msg_id => {
                        Some(Err(b.new_server_salt))
                    }
                    Incoming::BadMsg(b) if b.bad_msg_id == msg_id => Some(Err(0)),
                    _ => None,
                })
                .await?;
            match outcome {
                Ok(result) => return parse_rpc_answer(&result),
                Err(0) => bail!("bad_msg_notification for a call"),
                Err(salt) => self.state.salt = salt,
            }
        }
        bail!("the server kept rejecting the salt")
    }

    /// Calls a method of the newest layer and decodes its result.
    pub async fn call<R: RemoteCall>(&mut self, request: &R) -> anyhow::Result<R::Return> {
        let bytes = self.invoke_raw(&request.to_bytes()).await?.ok()?;
        Ok(R::Return::from_bytes(&bytes)?)
    }

    /// `invokeWithLayer(layer, initConnection(query))`, `query` already encoded for `layer`.
    pub async fn init_connection(
        &mut self,
        layer: i32,
        query: Vec<u8>,
    ) -> anyhow::Result<RpcAnswer> {
        self.invoke_raw(&init_connection_body(layer, query)).await
    }
}

pub fn init_connection_body(layer: i32, query: Vec<u8>) -> Vec<u8> {
    functions::InvokeWithLayer {
        layer,
        query: functions::InitConnection {
            api_id: 4,
            device_model: "integration test".into(),
            system_version: "linux".into(),
            app_version: "0.1".into(),
            system_lang_code: "en".into(),
            lang_pack: "".into(),
            lang_code: "en".into(),
            proxy: None,
            params: None,
            query: Blob(query),
        },
    }
    .to_bytes()
}
