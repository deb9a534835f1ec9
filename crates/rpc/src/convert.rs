//! Conversions between the Rust types of the service traits and their protobuf mirrors in
//! `proto/echo.proto`. Decoding is checked: a peer or key kind code we do not know is an
//! `InvalidArgument` status, never a panic.

use echo_authsession::{AuthKeyInfo, AuthKeyKind, AuthorizationRecord, ClientInfo};
use echo_msg::SendRequest;
use echo_mtproto::message::PlainMessage;
use echo_storage::{BoxMessage, DeleteOutcome, DialogRecord, Peer, ReadOutcome};
use tonic::Status;

use crate::pb;

pub(crate) fn peer_to_pb(peer: Peer) -> pb::Peer {
    pb::Peer {
        r#type: peer.type_code(),
        id: peer.id(),
    }
}

pub(crate) fn peer_from_pb(peer: Option<pb::Peer>) -> Result<Peer, Status> {
    let peer = peer.ok_or_else(|| Status::invalid_argument("peer missing"))?;
    match peer.r#type {
        1 => Ok(Peer::User(peer.id)),
        2 => Ok(Peer::Chat(peer.id)),
        3 => Ok(Peer::Channel(peer.id)),
        t => Err(Status::invalid_argument(format!("unknown peer type {t}"))),
    }
}

/// `with_key_bytes` false leaves the key out (sessions never need it; only the gateway and
/// authsession handle key material).
pub(crate) fn key_to_pb(key: &AuthKeyInfo, with_key_bytes: bool) -> pb::AuthKeyInfo {
    pb::AuthKeyInfo {
        auth_key_id: key.auth_key_id,
        auth_key: if with_key_bytes {
            key.auth_key.to_vec()
        } else {
            Vec::new()
        },
        kind: key.kind.code(),
        expires_at: key.expires_at,
        perm_auth_key_id: key.perm_auth_key_id,
    }
}

pub(crate) fn key_from_pb(key: Option<pb::AuthKeyInfo>) -> Result<AuthKeyInfo, Status> {
    let key = key.ok_or_else(|| Status::invalid_argument("auth key missing"))?;
    let kind = AuthKeyKind::from_code(key.kind)
        .ok_or_else(|| Status::invalid_argument(format!("unknown key kind {}", key.kind)))?;
    let mut bytes = [0u8; 256];
    match key.auth_key.len() {
        0 => {}
        256 => bytes.copy_from_slice(&key.auth_key),
        n => return Err(Status::invalid_argument(format!("auth key of {n} bytes"))),
    }
    Ok(AuthKeyInfo {
        auth_key_id: key.auth_key_id,
        auth_key: bytes,
        kind,
        expires_at: key.expires_at,
        perm_auth_key_id: key.perm_auth_key_id,
    })
}

pub(crate) fn client_to_pb(c: &ClientInfo) -> pb::ClientInfo {
    pb::ClientInfo {
        auth_key_id: c.auth_key_id,
        layer: c.layer,
        api_id: c.api_id,
        device_model: c.device_model.clone(),
        system_version: c.system_version.clone(),
        app_version: c.app_version.clone(),
        system_lang_code: c.system_lang_code.clone(),
        lang_pack: c.lang_pack.clone(),
        lang_code: c.lang_code.clone(),
        ip: c.ip.clone(),
        now: c.now,
    }
}

pub(crate) fn client_from_pb(c: pb::ClientInfo) -> ClientInfo {
    ClientInfo {
        auth_key_id: c.auth_key_id,
        layer: c.layer,
        api_id: c.api_id,
        device_model: c.device_model,
        system_version: c.system_version,
        app_version: c.app_version,
        system_lang_code: c.system_lang_code,
        lang_pack: c.lang_pack,
        lang_code: c.lang_code,
        ip: c.ip,
        now: c.now,
    }
}

pub(crate) fn authorization_to_pb(a: &AuthorizationRecord) -> pb::Authorization {
    pb::Authorization {
        auth_key_id: a.auth_key_id,
        user_id: a.user_id,
        hash: a.hash,
        client: Some(pb::ClientInfo {
            auth_key_id: a.auth_key_id,
            layer: a.layer,
            api_id: a.api_id,
            device_model: a.device_model.clone(),
            system_version: a.system_version.clone(),
            app_version: a.app_version.clone(),
            system_lang_code: a.system_lang_code.clone(),
            lang_pack: a.lang_pack.clone(),
            lang_code: a.lang_code.clone(),
            ip: a.ip.clone(),
            now: a.active_at,
        }),
        created_at: a.created_at,
        active_at: a.active_at,
    }
}

pub(crate) fn authorization_from_pb(a: pb::Authorization) -> AuthorizationRecord {
    let c = a.client.unwrap_or_default();
    AuthorizationRecord {
        auth_key_id: a.auth_key_id,
        user_id: a.user_id,
        hash: a.hash,
        layer: c.layer,
        api_id: c.api_id,
        device_model: c.device_model,
        system_version: c.system_version,
        app_version: c.app_version,
        system_lang_code: c.system_lang_code,
        lang_pack: c.lang_pack,
        lang_code: c.lang_code,
        ip: c.ip,
        created_at: a.created_at,
        active_at: a.active_at,
    }
}

pub(crate) fn box_message_to_pb(m: &BoxMessage) -> pb::BoxMessage {
    pb::BoxMessage {
        user_id: m.user_id,
        id: m.id,
        peer: Some(peer_to_pb(m.peer)),
        from_id: m.from_id,
        out: m.out,
        date: m.date,
        message: m.message.clone(),
        entities: m.entities.clone(),
        media: m.media.clone(),
        reply_to_msg_id: m.reply_to_msg_id,
        random_id: m.random_id,
        fwd: m.fwd.clone(),
        pts: m.pts,
        edit_date: m.edit_date,
        grouped_id: m.grouped_id,
    }
}

pub(crate) fn box_message_from_pb(m: pb::BoxMessage) -> Result<BoxMessage, Status> {
    Ok(BoxMessage {
        user_id: m.user_id,
        id: m.id,
        peer: peer_from_pb(m.peer)?,
        from_id: m.from_id,
        out: m.out,
        date: m.date,
        message: m.message,
        entities: m.entities,
        media: m.media,
        reply_to_msg_id: m.reply_to_msg_id,
        random_id: m.random_id,
        fwd: m.fwd,
        pts: m.pts,
        edit_date: m.edit_date,
        grouped_id: m.grouped_id,
    })
}

pub(crate) fn read_outcome_to_pb(r: &ReadOutcome) -> pb::ReadOutcome {
    let d = &r.dialog;
    pb::ReadOutcome {
        dialog: Some(pb::Dialog {
            peer: Some(peer_to_pb(d.peer)),
            top_message: d.top_message,
            top_date: d.top_date,
            read_inbox_max_id: d.read_inbox_max_id,
            read_outbox_max_id: d.read_outbox_max_id,
            unread_count: d.unread_count,
            pinned: d.pinned,
            unread_mark: d.unread_mark,
        }),
        pts: r.pts,
        pts_count: r.pts_count,
    }
}

pub(crate) fn read_outcome_from_pb(r: Option<pb::ReadOutcome>) -> Result<ReadOutcome, Status> {
    let r = r.ok_or_else(|| Status::invalid_argument("read outcome missing"))?;
    let d = r
        .dialog
        .ok_or_else(|| Status::invalid_argument("dialog missing"))?;
    Ok(ReadOutcome {
        dialog: DialogRecord {
            peer: peer_from_pb(d.peer)?,
            top_message: d.top_message,
            top_date: d.top_date,
            read_inbox_max_id: d.read_inbox_max_id,
            read_outbox_max_id: d.read_outbox_max_id,
            unread_count: d.unread_count,
            pinned: d.pinned,
            unread_mark: d.unread_mark,
        },
        pts: r.pts,
        pts_count: r.pts_count,
    })
}

pub(crate) fn deletion_to_pb(user_id: i64, o: &DeleteOutcome) -> pb::BoxDeletion {
    pb::BoxDeletion {
        user_id,
        deleted_ids: o.deleted_ids.clone(),
        pts: o.pts,
        pts_count: o.pts_count,
    }
}

pub(crate) fn deletion_from_pb(d: pb::BoxDeletion) -> (i64, DeleteOutcome) {
    (
        d.user_id,
        DeleteOutcome {
            deleted_ids: d.deleted_ids,
            pts: d.pts,
            pts_count: d.pts_count,
        },
    )
}

pub(crate) fn plain_to_pb(m: PlainMessage) -> pb::PlainMessage {
    pb::PlainMessage {
        salt: m.salt,
        session_id: m.session_id,
        msg_id: m.msg_id,
        seq_no: m.seq_no,
        body: m.body,
    }
}

pub(crate) fn plain_from_pb(m: Option<pb::PlainMessage>) -> Result<PlainMessage, Status> {
    let m = m.ok_or_else(|| Status::invalid_argument("message missing"))?;
    Ok(PlainMessage {
        salt: m.salt,
        session_id: m.session_id,
        msg_id: m.msg_id,
        seq_no: m.seq_no,
        body: m.body,
    })
}

/// A send (also the record of the Kafka topic Inbox).
pub fn send_request_to_pb(req: SendRequest) -> pb::SendRequest {
    pb::SendRequest {
        from: req.from,
        to: Some(peer_to_pb(req.to)),
        date: req.date,
        message: req.message,
        entities: req.entities,
        media: req.media,
        fwd: req.fwd,
        reply_to_msg_id: req.reply_to_msg_id,
        random_id: req.random_id,
        deliver: req.deliver,
        silent: req.silent,
        grouped_id: req.grouped_id,
    }
}

pub fn send_request_from_pb(r: pb::SendRequest) -> Result<SendRequest, Status> {
    Ok(SendRequest {
        from: r.from,
        to: peer_from_pb(r.to)?,
        date: r.date,
        message: r.message,
        entities: r.entities,
        media: r.media,
        fwd: r.fwd,
        reply_to_msg_id: r.reply_to_msg_id,
        random_id: r.random_id,
        deliver: r.deliver,
        silent: r.silent,
        grouped_id: r.grouped_id,
    })
}
