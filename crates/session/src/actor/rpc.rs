//! API calls inside a session (core.telegram.org/api/invoking): wrappers peeled, the call
//! re-encoded from the client's layer to the base layer, run by the BFF, and its result
//! re-encoded for the client; plus the user index used for pushes.

use crate::envelope::{self, constructor_of, Wrappers};
use crate::service;

use super::{remove_user_session, Session, GZIP_OVER};

impl Session {
    pub(super) async fn invoke(&mut self, msg_id: i64, body: &[u8], now: i64) {
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

    pub(super) async fn call(
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

    pub(super) fn index_user(&mut self, user: Option<i64>) {
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
}
