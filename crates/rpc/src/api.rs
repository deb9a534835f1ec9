//! The bff role over gRPC (core.telegram.org/api/invoking): one TL call in, its TL result or
//! `rpc_error` out. [`ApiServer`] serves any `RpcService` (the Bff router); [`RemoteApi`]
//! implements `RpcService` for the session role in another process. An API error is a normal
//! reply (it goes to the client); only transport failures are a Status, and the client sees
//! those as 500 INTERNAL.

use std::sync::Arc;

use async_trait::async_trait;
use echo_bff::{RpcContext, RpcError, RpcService};
use tonic::{Request, Response, Status};

use crate::endpoints::Endpoints;
use crate::pb::api_client::ApiClient;
use crate::pb::api_server::{Api, ApiServer as Generated};
use crate::pb::{self, invoke_reply::Outcome};

/// Serves an `RpcService` to session processes.
pub struct ApiServer {
    inner: Arc<dyn RpcService>,
}

impl ApiServer {
    pub fn service(inner: Arc<dyn RpcService>) -> Generated<Self> {
        Generated::new(Self { inner }).max_decoding_message_size(MAX_MESSAGE)
    }
}

/// Calls and results are bounded by MTProto's own message size; leave room for that.
const MAX_MESSAGE: usize = 32 << 20;

fn ctx_to_pb(c: &RpcContext) -> pb::RpcContext {
    pb::RpcContext {
        auth_key_id: c.auth_key_id,
        perm_auth_key_id: c.perm_auth_key_id,
        session_id: c.session_id,
        msg_id: c.msg_id,
        layer: c.layer,
        user_id: c.user_id,
        client_ip: c.client_ip.map(|ip| ip.to_string()),
        client_dc: c.client_dc,
        now: c.now,
    }
}

fn ctx_from_pb(c: Option<pb::RpcContext>) -> Result<RpcContext, Status> {
    let c = c.ok_or_else(|| Status::invalid_argument("context missing"))?;
    let client_ip = match c.client_ip {
        Some(ip) => Some(
            ip.parse()
                .map_err(|_| Status::invalid_argument(format!("bad client ip {ip}")))?,
        ),
        None => None,
    };
    Ok(RpcContext {
        auth_key_id: c.auth_key_id,
        perm_auth_key_id: c.perm_auth_key_id,
        session_id: c.session_id,
        msg_id: c.msg_id,
        layer: c.layer,
        user_id: c.user_id,
        client_ip,
        client_dc: c.client_dc,
        now: c.now,
    })
}

#[async_trait]
impl Api for ApiServer {
    async fn invoke(
        &self,
        req: Request<pb::InvokeRequest>,
    ) -> Result<Response<pb::InvokeReply>, Status> {
        let req = req.into_inner();
        let ctx = ctx_from_pb(req.ctx)?;
        let outcome = match self.inner.invoke(&ctx, &req.request).await {
            Ok(result) => Outcome::Result(result),
            Err(e) => Outcome::Error(pb::RpcErrorReply {
                code: e.code,
                message: e.message,
            }),
        };
        Ok(Response::new(pb::InvokeReply {
            outcome: Some(outcome),
        }))
    }
}

/// The bff role in another process.
#[derive(Debug, Clone)]
pub struct RemoteApi {
    endpoints: Arc<Endpoints>,
}

impl RemoteApi {
    pub fn new(endpoints: Arc<Endpoints>) -> Self {
        Self { endpoints }
    }
}

#[async_trait]
impl RpcService for RemoteApi {
    async fn invoke(&self, ctx: &RpcContext, request: &[u8]) -> Result<Vec<u8>, RpcError> {
        let unavailable = |s: Status| {
            tracing::error!(code = ?s.code(), message = s.message(), "bff call failed");
            RpcError::internal()
        };
        let channel = self.endpoints.any().map_err(unavailable)?;
        let mut client = ApiClient::new(channel).max_decoding_message_size(MAX_MESSAGE);
        let reply = client
            .invoke(pb::InvokeRequest {
                ctx: Some(ctx_to_pb(ctx)),
                request: request.to_vec(),
            })
            .await
            .map_err(unavailable)?
            .into_inner();
        match reply.outcome {
            Some(Outcome::Result(result)) => Ok(result),
            Some(Outcome::Error(e)) => Err(RpcError {
                code: e.code,
                message: e.message,
            }),
            None => Err(unavailable(Status::internal("empty reply"))),
        }
    }
}
