//! One session: an actor task per (auth key, session id) that owns the session's state and
//! processes its messages in order (core.telegram.org/mtproto/description,
//! /mtproto/service_messages_about_messages). Calls run one after another, which also gives
//! invokeAfterMsg its ordering for free.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use echo_authsession::AuthKeyInfo;
use echo_mtproto::message::PlainMessage;
use echo_mtproto::msg_id::{check_client_msg_id, MsgIdGenerator};
use echo_tl::{functions, types, Cursor, Deserializable, Identifiable};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::envelope::{self, constructor_of, Wrappers, GZIP_PACKED, MSG_CONTAINER};
use crate::{service, ConnCommand, ConnectionSink, SessionInput, Shared};

/// Session queue depth before the gateway's reads wait.
const QUEUE: usize = 256;
/// Client msg_ids remembered for duplicate detection.
const SEEN_IDS: usize = 1024;
/// Messages kept for a client that is between connections.
const BACKLOG: usize = 256;
/// A session with no connection and no traffic for this long ends (its state is cheap to rebuild).
const IDLE: Duration = Duration::from_secs(30 * 60);
/// Results larger than this are sent gzip_packed.
const GZIP_OVER: usize = 16 * 1024;

pub(crate) fn spawn(
    shared: Arc<Shared>,
    key: AuthKeyInfo,
    session_id: i64,
) -> mpsc::Sender<SessionInput> {
    let (tx, rx) = mpsc::channel(QUEUE);
    let session = Session {
        layer: shared.layers.newest(),
        shared,
        key,
        session_id,
        conn: None,
        msg_ids: MsgIdGenerator::new(),
        content_sent: 0,
        seen: VecDeque::new(),
        seen_set: HashSet::new(),
        started: false,
        pending_acks: Vec::new(),
        backlog: VecDeque::new(),
        disconnect_at: None,
        user_indexed: None,
    };
    tokio::spawn(session.run(rx));
    tx
}

struct Session {
    shared: Arc<Shared>,
    key: AuthKeyInfo,
    session_id: i64,
    conn: Option<ConnectionSink>,
    /// The layer this session's client speaks (invokeWithLayer, else the key's last known layer).
    layer: i32,
    msg_ids: MsgIdGenerator,
    content_sent: i32,
    seen: VecDeque<i64>,
    seen_set: HashSet<i64>,
    /// new_session_created has been sent.
    started: bool,
    pending_acks: Vec<i64>,
    backlog: VecDeque<PlainMessage>,
    disconnect_at: Option<Instant>,
    /// The user this session is indexed under for pushes.
    user_indexed: Option<i64>,
}

fn unix_now() -> (i64, Duration) {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (d.as_secs() as i64, d)
}

impl Session {
    async fn run(mut self, mut rx: mpsc::Receiver<SessionInput>) {
        if let Ok(Some(layer)) = self.stored_layer().await {
            if layer > 0 {
                self.layer = self.shared.layers.effective(layer);
            }
        }
        let shutdown = self.shared.shutdown.clone();
        loop {
            let disconnect = self.disconnect_at;
            tokio::select! {
                input = tokio::time::timeout(IDLE, rx.recv()) => match input {
                    Ok(Some(SessionInput::Client { msg, conn })) => self.on_client(msg, conn).await,
                    Ok(Some(SessionInput::Push(updates))) => self.on_push(&updates),
                    Ok(Some(SessionInput::Close { perm })) => {
                        tracing::debug!(
                            session_id = self.session_id,
                            has_conn = self.conn.is_some(),
                            "session closed by the server"
                        );
                        if perm.is_none() || perm == self.key.effective_perm_id() {
                            if let Some(conn) = self.conn.take() {
                                let _ = conn.tx.send(ConnCommand::Close);
                            }
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(_) if self.conn.as_ref().is_none_or(|c| c.tx.is_closed()) => break,
                    Err(_) => {}
                },
                _ = sleep_until(disconnect) => {
                    if let Some(conn) = self.conn.take() {
                        let _ = conn.tx.send(ConnCommand::Close);
                    }
                    self.disconnect_at = None;
                }
                _ = shutdown.cancelled() => break,
            }
        }
        self.unregister();
    }

    /// The stored layer of this key's authorization (0 when unknown).
    async fn stored_layer(&self) -> Result<Option<i32>, echo_authsession::AuthSessionError> {
        let Some(perm) = self.key.effective_perm_id() else {
            return Ok(None);
        };
        Ok(self
            .shared
            .authsession
            .get_authorization(perm)
            .await?
            .map(|a| a.layer))
    }

    fn unregister(&mut self) {
        let id = (self.key.auth_key_id, self.session_id);
        self.shared.sessions.lock().remove(&id);
        if let Some(user) = self.user_indexed.take() {
            remove_user_session(&self.shared, user, id);
        }
    }

    async fn on_client(&mut self, msg: PlainMessage, conn: ConnectionSink) {
        if self.conn.as_ref().map(|c| c.conn_id) != Some(conn.conn_id) {
            self.conn = Some(conn);
            while let Some(m) = self.backlog.pop_front() {
                self.deliver(m);
            }
        }
        let (now, _) = unix_now();
        if let Err(code) = check_client_msg_id(msg.msg_id, now) {
            let body = service::bad_msg_notification(msg.msg_id, msg.seq_no, code.code());
            self.send(body, false);
            return;
        }
        if !self.salt_ok(msg.salt, now) {
            let salt = self.shared.salts.current(self.key.auth_key_id, now);
            self.send(
                service::bad_server_salt(msg.msg_id, msg.seq_no, salt),
                false,
            );
            return;
        }
        if !self.started {
            self.started = true;
            let unique_id = rand::random::<i64>();
            let salt = self.shared.salts.current(self.key.auth_key_id, now);
            self.send(
                service::new_session_created(msg.msg_id, unique_id, salt),
                false,
            );
        }
        self.process(msg.msg_id, msg.seq_no, &msg.body, 0).await;
        self.flush_acks();
    }

    fn salt_ok(&self, salt: i64, now: i64) -> bool {
        if self.shared.salts.is_valid(self.key.auth_key_id, salt, now) {
            return true;
        }
        match self.shared.first_salts.lock().get(&self.key.auth_key_id) {
            Some(&(first, until)) => first == salt && now < until,
            None => false,
        }
    }

    /// Remembers a client msg_id; false if it was already seen (a duplicate to ignore).
    fn remember(&mut self, msg_id: i64) -> bool {
        if !self.seen_set.insert(msg_id) {
            return false;
        }
        self.seen.push_back(msg_id);
        if self.seen.len() > SEEN_IDS {
            if let Some(old) = self.seen.pop_front() {
                self.seen_set.remove(&old);
            }
        }
        true
    }

    fn process<'a>(
        &'a mut self,
        msg_id: i64,
        seq_no: i32,
        body: &'a [u8],
        depth: u8,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            if depth > 2 || !self.remember(msg_id) {
                return;
            }
            let Some(id) = constructor_of(body) else {
                return;
            };
            if id == MSG_CONTAINER {
                match envelope::parse_container(body) {
                    Ok(inner) => {
                        let inner: Vec<(i64, i32, Vec<u8>)> = inner
                            .into_iter()
                            .map(|m| (m.msg_id, m.seq_no, m.body.to_vec()))
                            .collect();
                        for (id, seq, b) in inner {
                            self.process(id, seq, &b, depth + 1).await;
                        }
                    }
                    Err(e) => tracing::debug!(error = %e, "bad container"),
                }
                return;
            }
            if seq_no & 1 == 1 {
                self.pending_acks.push(msg_id);
            }
            if id == GZIP_PACKED {
                match envelope::inflate(body) {
                    Ok(inner) => {
                        // The inflated object is the same message: process it under the same id.
                        self.seen_set.remove(&msg_id);
                        self.process(msg_id, seq_no & !1, &inner, depth + 1).await;
                    }
                    Err(e) => tracing::debug!(error = %e, "bad gzip_packed"),
                }
                return;
            }
            self.process_object(msg_id, id, body).await;
        })
    }

    async fn process_object(&mut self, msg_id: i64, id: u32, body: &[u8]) {
        let (now, _) = unix_now();
        let mut cur = Cursor::from_slice(body.get(4..).unwrap_or_default());
        if id == types::MsgsAck::CONSTRUCTOR_ID || id == types::HttpWait::CONSTRUCTOR_ID {
            // Acks of our messages: nothing is retransmitted yet, so nothing to clear.
        } else if id == functions::Ping::CONSTRUCTOR_ID {
            if let Ok(ping_id) = i64::deserialize(&mut cur) {
                self.drop_ack(msg_id);
                self.send(service::pong(msg_id, ping_id), true);
            }
        } else if id == functions::PingDelayDisconnect::CONSTRUCTOR_ID {
            if let (Ok(ping_id), Ok(delay)) =
                (i64::deserialize(&mut cur), i32::deserialize(&mut cur))
            {
                self.disconnect_at =
                    Some(Instant::now() + Duration::from_secs(delay.clamp(0, 3600) as u64));
                self.drop_ack(msg_id);
                self.send(service::pong(msg_id, ping_id), true);
            }
        } else if id == functions::GetFutureSalts::CONSTRUCTOR_ID {
            if let Ok(num) = i32::deserialize(&mut cur) {
                let salts =
                    self.shared
                        .salts
                        .future(self.key.auth_key_id, now, num.clamp(1, 64) as usize);
                self.drop_ack(msg_id);
                self.send(service::future_salts(msg_id, now as i32, salts), true);
            }
        } else if id == functions::DestroySession::CONSTRUCTOR_ID {
            if let Ok(session_id) = i64::deserialize(&mut cur) {
                let existed = session_id != self.session_id
                    && self
                        .shared
                        .sessions
                        .lock()
                        .remove(&(self.key.auth_key_id, session_id))
                        .is_some();
                self.drop_ack(msg_id);
                self.send(service::destroy_session_res(session_id, existed), true);
            }
        } else if id == types::MsgsStateReq::CONSTRUCTOR_ID {
            if let Ok(ids) = Vec::<i64>::deserialize(&mut cur) {
                // 4 = received; 1 = nothing known about the message.
                let info = ids
                    .iter()
                    .map(|i| if self.seen_set.contains(i) { 4 } else { 1 })
                    .collect();
                self.send(service::msgs_state_info(msg_id, info), true);
            }
        } else if id == types::MsgResendReq::CONSTRUCTOR_ID {
            // Answers are not retained after sending; the client re-sends its calls instead.
        } else if id == functions::RpcDropAnswer::CONSTRUCTOR_ID {
            // Calls run to completion in order, so by now the answer was sent or will be.
            self.drop_ack(msg_id);
            self.send(
                service::rpc_result(msg_id, &service::rpc_answer_unknown()),
                true,
            );
        } else {
            self.drop_ack(msg_id);
            self.invoke(msg_id, body, now).await;
        }
    }

    /// An RPC answer acknowledges the request implicitly.
    fn drop_ack(&mut self, msg_id: i64) {
        self.pending_acks.retain(|&m| m != msg_id);
    }

    async fn invoke(&mut self, msg_id: i64, body: &[u8], now: i64) {
        let result = self.call(msg_id, body, now).await;
        let reply = match result {
            Ok(bytes) if bytes.len() > GZIP_OVER => {
                service::rpc_result(msg_id, &envelope::deflate(&bytes))
            }
            Ok(bytes) => service::rpc_result(msg_id, &bytes),
            Err(e) => service::rpc_error(msg_id, e.code, &e.message),
        };
        self.send(reply, true);
    }

    async fn call(
        &mut self,
        msg_id: i64,
        body: &[u8],
        now: i64,
    ) -> Result<Vec<u8>, echo_bff::RpcError> {
        let mut wrappers = Wrappers::default();
        let offset = envelope::unwrap_call(body, &mut wrappers)
            .map_err(|_| echo_bff::RpcError::bad_request("INPUT_REQUEST_INVALID"))?;
        if let Some(layer) = wrappers.layer {
            self.layer = self.shared.layers.effective(layer);
        }
        if self.key.effective_perm_id().is_none() {
            // An unbound temp key may have been bound (auth.bindTempAuthKey) since the session began.
            if let Ok(Some(fresh)) = self
                .shared
                .authsession
                .get_auth_key(self.key.auth_key_id)
                .await
            {
                self.key = fresh;
            }
        }
        let perm = self.key.effective_perm_id();
        if let Some(init) = &wrappers.init {
            tracing::debug!(
                auth_key_id = format_args!("{:016x}", self.key.auth_key_id),
                layer = wrappers.layer.unwrap_or(self.layer),
                served_layer = self.layer,
                api_id = init.api_id,
                device = %init.device_model,
                app = %init.app_version,
                "initConnection"
            );
        }
        if let (Some(init), Some(perm)) = (wrappers.init, perm) {
            let info = echo_authsession::ClientInfo {
                auth_key_id: perm,
                layer: wrappers.layer.unwrap_or(self.layer),
                api_id: init.api_id,
                device_model: init.device_model,
                system_version: init.system_version,
                app_version: init.app_version,
                system_lang_code: init.system_lang_code,
                lang_pack: init.lang_pack,
                lang_code: init.lang_code,
                ip: self
                    .conn
                    .as_ref()
                    .and_then(|c| c.client_ip)
                    .map(|ip| ip.to_string())
                    .unwrap_or_default(),
                now,
            };
            if let Err(e) = self.shared.authsession.set_client_info(info).await {
                tracing::warn!(error = %e, "could not record client info");
            }
        }
        let inner = body.get(offset..).unwrap_or_default();
        let request = self
            .shared
            .layers
            .request_to_newest(self.layer, inner)
            .map_err(|_| echo_bff::RpcError::bad_request("INPUT_REQUEST_INVALID"))?;
        let method_id = constructor_of(&request).unwrap_or_default();
        let user_id = match perm {
            Some(perm) => self
                .shared
                .authsession
                .user_of(perm)
                .await
                .map_err(echo_bff::RpcError::from)?,
            None => None,
        };
        self.index_user(user_id);
        let ctx = echo_bff::RpcContext {
            auth_key_id: self.key.auth_key_id,
            perm_auth_key_id: perm,
            session_id: self.session_id,
            msg_id,
            layer: self.layer,
            user_id,
            client_ip: self.conn.as_ref().and_then(|c| c.client_ip),
            client_dc: self.conn.as_ref().and_then(|c| c.dc_id),
            now,
        };
        let result = self.shared.rpc.invoke(&ctx, &request).await?;
        // A call may have logged the key in or out.
        if let Some(perm) = perm {
            if let Ok(user) = self.shared.authsession.user_of(perm).await {
                self.index_user(user);
            }
        }
        let encoded = self
            .shared
            .layers
            .result_to_layer(self.layer, method_id, &result)
            .map_err(|e| {
                tracing::error!(error = %e, method = echo_tl::name_for_id(method_id), "cannot encode result for layer");
                echo_bff::RpcError::internal()
            })?;
        Ok(encoded.into_owned())
    }

    fn index_user(&mut self, user: Option<i64>) {
        if self.user_indexed == user {
            return;
        }
        let id = (self.key.auth_key_id, self.session_id);
        if let Some(old) = self.user_indexed.take() {
            remove_user_session(&self.shared, old, id);
        }
        if let Some(user) = user {
            self.shared
                .user_sessions
                .lock()
                .entry(user)
                .or_default()
                .push(id);
            self.shared.announce(user, id, true);
        }
        self.user_indexed = user;
    }

    fn on_push(&mut self, updates: &[u8]) {
        match self
            .shared
            .layers
            .object_to_layer(self.layer, "Updates", updates)
        {
            Ok(body) => {
                let body = body.into_owned();
                self.send(body, true);
            }
            Err(e) => tracing::warn!(error = %e, "cannot encode push for layer"),
        }
    }

    fn flush_acks(&mut self) {
        if !self.pending_acks.is_empty() {
            let ids = std::mem::take(&mut self.pending_acks);
            self.send_with(service::msgs_ack(ids), false, false);
        }
    }

    /// Sends a content-related message; `response` marks answers to a client message.
    fn send(&mut self, body: Vec<u8>, response: bool) {
        self.send_with(body, true, response)
    }

    fn send_with(&mut self, body: Vec<u8>, content: bool, response: bool) {
        let (now, since_epoch) = unix_now();
        let seq_no = if content {
            self.content_sent += 1;
            self.content_sent * 2 - 1
        } else {
            self.content_sent * 2
        };
        let msg = PlainMessage {
            salt: self.shared.salts.current(self.key.auth_key_id, now),
            session_id: self.session_id,
            msg_id: self.msg_ids.next(since_epoch, response),
            seq_no,
            body,
        };
        self.deliver(msg);
    }

    fn deliver(&mut self, msg: PlainMessage) {
        if let Some(conn) = &self.conn {
            let auth_key_id = self.key.auth_key_id;
            match conn.tx.send(ConnCommand::Send { auth_key_id, msg }) {
                Ok(()) => {}
                Err(mpsc::error::SendError(ConnCommand::Send { msg, .. })) => {
                    self.conn = None;
                    self.keep(msg);
                }
                Err(_) => self.conn = None,
            }
        } else {
            self.keep(msg);
        }
    }

    fn keep(&mut self, msg: PlainMessage) {
        if self.backlog.len() >= BACKLOG {
            self.backlog.pop_front();
        }
        self.backlog.push_back(msg);
    }
}

fn remove_user_session(shared: &Shared, user: i64, id: (i64, i64)) {
    shared.announce(user, id, false);
    let mut index = shared.user_sessions.lock();
    if let Some(list) = index.get_mut(&user) {
        list.retain(|s| *s != id);
        if list.is_empty() {
            index.remove(&user);
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
