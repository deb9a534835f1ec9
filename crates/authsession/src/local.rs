//! In-process [`AuthSessionService`] over the storage traits, with a read-through cache of keys
//! and logins (every encrypted message needs both, so they must not cost a query each).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use echo_storage::{AuthKeyKind, AuthKeyRecord, AuthorizationRecord, ClientInfo, Storage};
use parking_lot::RwLock;

use crate::{AuthKeyInfo, AuthSessionService, Result};

/// Authsession backed by `echo-storage`.
pub struct LocalAuthSession {
    storage: Storage,
    keys: RwLock<HashMap<i64, Arc<AuthKeyInfo>>>,
    /// perm auth key id → logged-in user (None cached too: most lookups before login miss).
    users: RwLock<HashMap<i64, Option<i64>>>,
}

impl LocalAuthSession {
    pub fn new(storage: Storage) -> Self {
        Self {
            storage,
            keys: RwLock::default(),
            users: RwLock::default(),
        }
    }
}

fn record_to_info(rec: AuthKeyRecord) -> Option<AuthKeyInfo> {
    let auth_key: [u8; 256] = rec.auth_key.as_slice().try_into().ok()?;
    Some(AuthKeyInfo {
        auth_key_id: rec.auth_key_id,
        auth_key,
        kind: rec.kind,
        expires_at: rec.expires_at,
        perm_auth_key_id: rec.perm_auth_key_id,
    })
}

#[async_trait]
impl AuthSessionService for LocalAuthSession {
    async fn save_auth_key(&self, key: AuthKeyInfo, now: i64) -> Result<()> {
        self.storage
            .auth_keys
            .put(AuthKeyRecord {
                auth_key_id: key.auth_key_id,
                auth_key: key.auth_key.to_vec(),
                kind: key.kind,
                expires_at: key.expires_at,
                perm_auth_key_id: key.perm_auth_key_id,
                created_at: now,
            })
            .await?;
        self.keys.write().insert(key.auth_key_id, Arc::new(key));
        Ok(())
    }

    async fn get_auth_key(&self, auth_key_id: i64) -> Result<Option<AuthKeyInfo>> {
        if let Some(k) = self.keys.read().get(&auth_key_id) {
            return Ok(Some(k.as_ref().clone()));
        }
        let Some(rec) = self.storage.auth_keys.get(auth_key_id).await? else {
            return Ok(None);
        };
        let Some(info) = record_to_info(rec) else {
            tracing::warn!(auth_key_id, "stored auth key has a bad length; ignoring it");
            return Ok(None);
        };
        self.keys
            .write()
            .insert(auth_key_id, Arc::new(info.clone()));
        Ok(Some(info))
    }

    async fn bind_temp_auth_key(&self, temp_id: i64, perm_id: i64, expires_at: i64) -> Result<()> {
        self.storage
            .auth_keys
            .bind_temp(temp_id, perm_id, expires_at)
            .await?;
        let mut keys = self.keys.write();
        if let Some(k) = keys.get(&temp_id) {
            let mut k = k.as_ref().clone();
            k.perm_auth_key_id = Some(perm_id);
            k.expires_at = Some(expires_at);
            keys.insert(temp_id, Arc::new(k));
        }
        Ok(())
    }

    async fn set_client_info(&self, info: ClientInfo) -> Result<()> {
        self.storage.authorizations.upsert_client(info).await?;
        Ok(())
    }

    async fn get_authorization(
        &self,
        perm_auth_key_id: i64,
    ) -> Result<Option<AuthorizationRecord>> {
        Ok(self.storage.authorizations.get(perm_auth_key_id).await?)
    }

    async fn user_of(&self, perm_auth_key_id: i64) -> Result<Option<i64>> {
        if let Some(u) = self.users.read().get(&perm_auth_key_id) {
            return Ok(*u);
        }
        let user = self
            .storage
            .authorizations
            .get(perm_auth_key_id)
            .await?
            .and_then(|a| a.user_id);
        self.users.write().insert(perm_auth_key_id, user);
        Ok(user)
    }

    async fn bind_user(&self, perm_auth_key_id: i64, user_id: i64, now: i64) -> Result<()> {
        self.storage
            .authorizations
            .bind_user(perm_auth_key_id, user_id, now)
            .await?;
        self.users.write().insert(perm_auth_key_id, Some(user_id));
        Ok(())
    }

    async fn log_out(&self, perm_auth_key_id: i64) -> Result<()> {
        self.storage.authorizations.unbind(perm_auth_key_id).await?;
        self.users.write().insert(perm_auth_key_id, None);
        Ok(())
    }
}

/// Whether a key may still be used at `now` (expired temp keys may not).
pub fn key_usable(info: &AuthKeyInfo, now: i64) -> bool {
    match (info.kind, info.expires_at) {
        (AuthKeyKind::Perm, _) | (_, None) => true,
        (_, Some(exp)) => exp > now,
    }
}
