//! The authsession role over gRPC: [`AuthSessionServer`] serves any
//! `AuthSessionService` (the local one over storage), [`RemoteAuthSession`] implements the
//! same trait for callers in other processes (gateway, session, bff).

use std::sync::Arc;

use async_trait::async_trait;
use echo_authsession::{AuthKeyInfo, AuthSessionService, AuthorizationRecord, ClientInfo, Result};
use tonic::{Request, Response, Status};

use crate::convert::*;
use crate::endpoints::Endpoints;
use crate::pb::auth_session_client::AuthSessionClient;
use crate::pb::auth_session_server::{AuthSession, AuthSessionServer as Generated};
use crate::pb::{self, Empty};
use crate::status::{authsession_from_status, authsession_to_status};

/// Serves an `AuthSessionService` to other processes.
pub struct AuthSessionServer {
    inner: Arc<dyn AuthSessionService>,
}

impl AuthSessionServer {
    pub fn service(inner: Arc<dyn AuthSessionService>) -> Generated<Self> {
        Generated::new(Self { inner })
    }
}

fn reply<T>(r: Result<T>) -> std::result::Result<Response<T>, Status> {
    r.map(Response::new).map_err(|e| authsession_to_status(&e))
}

#[async_trait]
impl AuthSession for AuthSessionServer {
    async fn save_auth_key(
        &self,
        req: Request<pb::SaveAuthKeyRequest>,
    ) -> std::result::Result<Response<Empty>, Status> {
        let req = req.into_inner();
        let key = key_from_pb(req.key)?;
        reply(
            self.inner
                .save_auth_key(key, req.now)
                .await
                .map(|()| Empty {}),
        )
    }

    async fn get_auth_key(
        &self,
        req: Request<pb::KeyId>,
    ) -> std::result::Result<Response<pb::MaybeAuthKey>, Status> {
        let key = self.inner.get_auth_key(req.into_inner().auth_key_id).await;
        reply(key.map(|k| pb::MaybeAuthKey {
            key: k.map(|k| key_to_pb(&k, true)),
        }))
    }

    async fn bind_temp_auth_key(
        &self,
        req: Request<pb::BindTempRequest>,
    ) -> std::result::Result<Response<Empty>, Status> {
        let r = req.into_inner();
        let done = self
            .inner
            .bind_temp_auth_key(r.temp_id, r.perm_id, r.expires_at)
            .await;
        reply(done.map(|()| Empty {}))
    }

    async fn set_client_info(
        &self,
        req: Request<pb::ClientInfo>,
    ) -> std::result::Result<Response<Empty>, Status> {
        let info = client_from_pb(req.into_inner());
        reply(self.inner.set_client_info(info).await.map(|()| Empty {}))
    }

    async fn get_authorization(
        &self,
        req: Request<pb::KeyId>,
    ) -> std::result::Result<Response<pb::MaybeAuthorization>, Status> {
        let a = self
            .inner
            .get_authorization(req.into_inner().auth_key_id)
            .await;
        reply(a.map(|a| pb::MaybeAuthorization {
            authorization: a.as_ref().map(authorization_to_pb),
        }))
    }

    async fn user_of(
        &self,
        req: Request<pb::KeyId>,
    ) -> std::result::Result<Response<pb::MaybeUser>, Status> {
        let user = self.inner.user_of(req.into_inner().auth_key_id).await;
        reply(user.map(|user_id| pb::MaybeUser { user_id }))
    }

    async fn bind_user(
        &self,
        req: Request<pb::BindUserRequest>,
    ) -> std::result::Result<Response<Empty>, Status> {
        let r = req.into_inner();
        let done = self
            .inner
            .bind_user(r.perm_auth_key_id, r.user_id, r.now)
            .await;
        reply(done.map(|()| Empty {}))
    }

    async fn log_out(
        &self,
        req: Request<pb::KeyId>,
    ) -> std::result::Result<Response<Empty>, Status> {
        let done = self.inner.log_out(req.into_inner().auth_key_id).await;
        reply(done.map(|()| Empty {}))
    }
}

/// The authsession role in another process.
#[derive(Debug, Clone)]
pub struct RemoteAuthSession {
    endpoints: Arc<Endpoints>,
}

impl RemoteAuthSession {
    pub fn new(endpoints: Arc<Endpoints>) -> Self {
        Self { endpoints }
    }

    fn client(&self) -> Result<AuthSessionClient<tonic::transport::Channel>> {
        let channel = self
            .endpoints
            .any()
            .map_err(|s| authsession_from_status(&s))?;
        Ok(AuthSessionClient::new(channel))
    }
}

fn back<T>(r: std::result::Result<Response<T>, Status>) -> Result<T> {
    r.map(Response::into_inner)
        .map_err(|s| authsession_from_status(&s))
}

#[async_trait]
impl AuthSessionService for RemoteAuthSession {
    async fn save_auth_key(&self, key: AuthKeyInfo, now: i64) -> Result<()> {
        let req = pb::SaveAuthKeyRequest {
            key: Some(key_to_pb(&key, true)),
            now,
        };
        back(self.client()?.save_auth_key(req).await).map(|_| ())
    }

    async fn get_auth_key(&self, auth_key_id: i64) -> Result<Option<AuthKeyInfo>> {
        let got = back(self.client()?.get_auth_key(pb::KeyId { auth_key_id }).await)?;
        match got.key {
            Some(k) => key_from_pb(Some(k))
                .map(Some)
                .map_err(|s| authsession_from_status(&s)),
            None => Ok(None),
        }
    }

    async fn bind_temp_auth_key(&self, temp_id: i64, perm_id: i64, expires_at: i64) -> Result<()> {
        let req = pb::BindTempRequest {
            temp_id,
            perm_id,
            expires_at,
        };
        back(self.client()?.bind_temp_auth_key(req).await).map(|_| ())
    }

    async fn set_client_info(&self, info: ClientInfo) -> Result<()> {
        back(self.client()?.set_client_info(client_to_pb(&info)).await).map(|_| ())
    }

    async fn get_authorization(
        &self,
        perm_auth_key_id: i64,
    ) -> Result<Option<AuthorizationRecord>> {
        let req = pb::KeyId {
            auth_key_id: perm_auth_key_id,
        };
        let got = back(self.client()?.get_authorization(req).await)?;
        Ok(got.authorization.map(authorization_from_pb))
    }

    async fn user_of(&self, perm_auth_key_id: i64) -> Result<Option<i64>> {
        let req = pb::KeyId {
            auth_key_id: perm_auth_key_id,
        };
        Ok(back(self.client()?.user_of(req).await)?.user_id)
    }

    async fn bind_user(&self, perm_auth_key_id: i64, user_id: i64, now: i64) -> Result<()> {
        let req = pb::BindUserRequest {
            perm_auth_key_id,
            user_id,
            now,
        };
        back(self.client()?.bind_user(req).await).map(|_| ())
    }

    async fn log_out(&self, perm_auth_key_id: i64) -> Result<()> {
        let req = pb::KeyId {
            auth_key_id: perm_auth_key_id,
        };
        back(self.client()?.log_out(req).await).map(|_| ())
    }
}
