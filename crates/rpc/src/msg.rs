//! The msg role over gRPC: [`MsgServer`] serves any `MsgService` (the local one over the
//! message boxes), [`RemoteMsg`] implements `MsgService` for the bff role in another process.

use std::sync::Arc;

use async_trait::async_trait;
use echo_msg::{BoxDeletion, MsgError, MsgService, ReadResult, SendRequest, Sent};
use echo_storage::{BoxMessage, MessageEdit, Peer};
use tonic::{Request, Response, Status};

use crate::convert::*;
use crate::endpoints::Endpoints;
use crate::pb;
use crate::pb::msg_client::MsgClient;
use crate::pb::msg_server::{Msg, MsgServer as Generated};
use crate::status::{msg_from_status, msg_to_status};

/// Serves a `MsgService` to bff processes.
pub struct MsgServer {
    inner: Arc<dyn MsgService>,
}

impl MsgServer {
    pub fn service(inner: Arc<dyn MsgService>) -> Generated<Self> {
        Generated::new(Self { inner })
    }
}

fn sent_to_pb(s: &Sent) -> pb::Sent {
    pb::Sent {
        outbox: Some(box_message_to_pb(&s.outbox)),
        inbox: s.inbox.as_ref().map(box_message_to_pb),
        created: s.created,
    }
}

fn sent_from_pb(s: pb::Sent) -> Result<Sent, Status> {
    let outbox = s
        .outbox
        .ok_or_else(|| Status::invalid_argument("outbox missing"))?;
    Ok(Sent {
        outbox: box_message_from_pb(outbox)?,
        inbox: s.inbox.map(box_message_from_pb).transpose()?,
        created: s.created,
    })
}

#[async_trait]
impl Msg for MsgServer {
    async fn send(&self, req: Request<pb::SendRequest>) -> Result<Response<pb::Sent>, Status> {
        let r = req.into_inner();
        let send = send_request_from_pb(r)?;
        let sent = self.inner.send(send).await.map_err(|e| msg_to_status(&e))?;
        Ok(Response::new(sent_to_pb(&sent)))
    }

    async fn edit(
        &self,
        req: Request<pb::EditRequest>,
    ) -> Result<Response<pb::BoxMessages>, Status> {
        let r = req.into_inner();
        let edit = MessageEdit {
            message: r.message,
            entities: r.entities,
            media: r.media,
            edit_date: r.edit_date,
        };
        let copies = self
            .inner
            .edit(r.user_id, r.id, edit)
            .await
            .map_err(|e| msg_to_status(&e))?;
        Ok(Response::new(pb::BoxMessages {
            messages: copies.iter().map(box_message_to_pb).collect(),
        }))
    }

    async fn delete(
        &self,
        req: Request<pb::DeleteRequest>,
    ) -> Result<Response<pb::BoxDeletions>, Status> {
        let r = req.into_inner();
        let done = self
            .inner
            .delete(r.user_id, &r.ids, r.revoke, r.date)
            .await
            .map_err(|e| msg_to_status(&e))?;
        Ok(Response::new(pb::BoxDeletions {
            deletions: done
                .iter()
                .map(|d| deletion_to_pb(d.user_id, &d.outcome))
                .collect(),
        }))
    }

    async fn read_history(
        &self,
        req: Request<pb::ReadRequest>,
    ) -> Result<Response<pb::ReadResult>, Status> {
        let r = req.into_inner();
        let peer = peer_from_pb(r.peer)?;
        let read = self
            .inner
            .read_history(r.user_id, peer, r.max_id, r.date)
            .await
            .map_err(|e| msg_to_status(&e))?;
        Ok(Response::new(pb::ReadResult {
            inbox: Some(read_outcome_to_pb(&read.inbox)),
            outbox_user: read.outbox.as_ref().map(|(u, _)| *u),
            outbox: read.outbox.as_ref().map(|(_, o)| read_outcome_to_pb(o)),
        }))
    }
}

/// The msg role in another process.
#[derive(Debug, Clone)]
pub struct RemoteMsg {
    endpoints: Arc<Endpoints>,
}

impl RemoteMsg {
    pub fn new(endpoints: Arc<Endpoints>) -> Self {
        Self { endpoints }
    }

    fn client(&self) -> Result<MsgClient<tonic::transport::Channel>, MsgError> {
        let channel = self.endpoints.any().map_err(|s| msg_from_status(&s))?;
        Ok(MsgClient::new(channel))
    }
}

fn back<T>(r: Result<Response<T>, Status>) -> Result<T, MsgError> {
    r.map(Response::into_inner).map_err(|s| msg_from_status(&s))
}

fn decoded<T>(r: Result<T, Status>) -> Result<T, MsgError> {
    r.map_err(|s| msg_from_status(&s))
}

#[async_trait]
impl MsgService for RemoteMsg {
    async fn send(&self, req: SendRequest) -> Result<Sent, MsgError> {
        let req = send_request_to_pb(req);
        decoded(sent_from_pb(back(self.client()?.send(req).await)?))
    }

    async fn edit(
        &self,
        user_id: i64,
        id: i32,
        edit: MessageEdit,
    ) -> Result<Vec<BoxMessage>, MsgError> {
        let req = pb::EditRequest {
            user_id,
            id,
            message: edit.message,
            entities: edit.entities,
            media: edit.media,
            edit_date: edit.edit_date,
        };
        let copies = back(self.client()?.edit(req).await)?;
        decoded(
            copies
                .messages
                .into_iter()
                .map(box_message_from_pb)
                .collect(),
        )
    }

    async fn delete(
        &self,
        user_id: i64,
        ids: &[i32],
        revoke: bool,
        date: i64,
    ) -> Result<Vec<BoxDeletion>, MsgError> {
        let req = pb::DeleteRequest {
            user_id,
            ids: ids.to_vec(),
            revoke,
            date,
        };
        let done = back(self.client()?.delete(req).await)?;
        Ok(done
            .deletions
            .into_iter()
            .map(|d| {
                let (user_id, outcome) = deletion_from_pb(d);
                BoxDeletion { user_id, outcome }
            })
            .collect())
    }

    async fn read_history(
        &self,
        user_id: i64,
        peer: Peer,
        max_id: i32,
        date: i64,
    ) -> Result<ReadResult, MsgError> {
        let req = pb::ReadRequest {
            user_id,
            peer: Some(peer_to_pb(peer)),
            max_id,
            date,
        };
        let r = back(self.client()?.read_history(req).await)?;
        let inbox = decoded(read_outcome_from_pb(r.inbox))?;
        let outbox = match (r.outbox_user, r.outbox) {
            (Some(user), Some(o)) => Some((user, decoded(read_outcome_from_pb(Some(o)))?)),
            _ => None,
        };
        Ok(ReadResult { inbox, outbox })
    }
}
