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
use tokio::sync::mpsc;
use tokio::time::Instant;

mod rpc;
mod service_msgs;

use crate::envelope::{self, constructor_of, GZIP_PACKED, MSG_CONTAINER};
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
            // Drained into a local first: if this connection is already gone, `deliver`
            // puts each message back into the backlog, and popping from it until it is
            // empty would never end (a session role once spun at 100% CPU here).
            for m in std::mem::take(&mut self.backlog) {
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
