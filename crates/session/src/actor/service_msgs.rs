//! Service messages a client sends inside a session (core.telegram.org/mtproto/service_messages,
//! /mtproto/service_messages_about_messages): acks, pings, future salts, destroy_session,
//! msgs_state_req, rpc_drop_answer. Anything else is an API call (see `rpc`).

use std::time::Duration;

use echo_tl::{functions, types, Cursor, Deserializable, Identifiable};
use tokio::time::Instant;

use super::{unix_now, Session};
use crate::service;

impl Session {
    pub(super) async fn process_object(&mut self, msg_id: i64, id: u32, body: &[u8]) {
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
    pub(super) fn drop_ack(&mut self, msg_id: i64) {
        self.pending_acks.retain(|&m| m != msg_id);
    }
}
