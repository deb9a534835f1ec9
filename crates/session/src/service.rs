//! Bodies of the service messages the server sends (core.telegram.org/mtproto/service_messages,
//! /mtproto/service_messages_about_messages). Built from the generated mtproto types.

use echo_tl::{enums, types, RawVec, Serializable};

use crate::envelope::RPC_RESULT;

/// `rpc_result` carrying an already-encoded result.
pub fn rpc_result(req_msg_id: i64, result: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(12 + result.len());
    out.extend_from_slice(&RPC_RESULT.to_le_bytes());
    out.extend_from_slice(&req_msg_id.to_le_bytes());
    out.extend_from_slice(result);
    out
}

/// `rpc_result` carrying an `rpc_error`.
pub fn rpc_error(req_msg_id: i64, code: i32, message: &str) -> Vec<u8> {
    let err = enums::RpcError::Error(types::RpcError {
        error_code: code,
        error_message: message.to_string(),
    });
    rpc_result(req_msg_id, &err.to_bytes())
}

pub fn pong(msg_id: i64, ping_id: i64) -> Vec<u8> {
    enums::Pong::Pong(types::Pong { msg_id, ping_id }).to_bytes()
}

pub fn new_session_created(first_msg_id: i64, unique_id: i64, server_salt: i64) -> Vec<u8> {
    enums::NewSession::Created(types::NewSessionCreated {
        first_msg_id,
        unique_id,
        server_salt,
    })
    .to_bytes()
}

pub fn bad_server_salt(bad_msg_id: i64, bad_msg_seqno: i32, new_server_salt: i64) -> Vec<u8> {
    enums::BadMsgNotification::BadServerSalt(types::BadServerSalt {
        bad_msg_id,
        bad_msg_seqno,
        error_code: 48,
        new_server_salt,
    })
    .to_bytes()
}

pub fn bad_msg_notification(bad_msg_id: i64, bad_msg_seqno: i32, error_code: i32) -> Vec<u8> {
    enums::BadMsgNotification::Notification(types::BadMsgNotification {
        bad_msg_id,
        bad_msg_seqno,
        error_code,
    })
    .to_bytes()
}

pub fn future_salts(req_msg_id: i64, now: i32, salts: Vec<(i32, i32, i64)>) -> Vec<u8> {
    let salts = salts
        .into_iter()
        .map(|(valid_since, valid_until, salt)| types::FutureSalt {
            valid_since,
            valid_until,
            salt,
        })
        .collect();
    enums::FutureSalts::Salts(types::FutureSalts {
        req_msg_id,
        now,
        salts: RawVec(salts),
    })
    .to_bytes()
}

pub fn msgs_ack(msg_ids: Vec<i64>) -> Vec<u8> {
    enums::MsgsAck::Ack(types::MsgsAck { msg_ids }).to_bytes()
}

pub fn msgs_state_info(req_msg_id: i64, info: Vec<u8>) -> Vec<u8> {
    enums::MsgsStateInfo::Info(types::MsgsStateInfo { req_msg_id, info }).to_bytes()
}

pub fn destroy_session_res(session_id: i64, existed: bool) -> Vec<u8> {
    if existed {
        enums::DestroySessionRes::DestroySessionOk(types::DestroySessionOk { session_id })
            .to_bytes()
    } else {
        enums::DestroySessionRes::DestroySessionNone(types::DestroySessionNone { session_id })
            .to_bytes()
    }
}

pub fn rpc_answer_unknown() -> Vec<u8> {
    enums::RpcDropAnswer::RpcAnswerUnknown.to_bytes()
}
