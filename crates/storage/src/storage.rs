//! The `Storage` bundle: one handle per aggregate store, plus health and shutdown.
//!
//! Each field is an `Arc<dyn Trait>` so a deployment can swap one aggregate for another
//! implementation (a cache, a remote service) while keeping the rest on SQL.

use std::sync::Arc;

use crate::contacts::{BlockStore, ContactStore, PrivacyStore, ServiceUserStore};
use crate::error::StorageResult;
use crate::sqlx_store::SqlStore;
use crate::traits::{
    AuthKeyStore, AuthorizationStore, DialogStore, MessageStore, PhoneCodeStore, StorageLifecycle,
    UpdateStateStore, UserStore,
};

/// Every store the server needs, cheap to clone.
#[derive(Clone)]
pub struct Storage {
    pub auth_keys: Arc<dyn AuthKeyStore>,
    pub users: Arc<dyn UserStore>,
    pub authorizations: Arc<dyn AuthorizationStore>,
    pub phone_codes: Arc<dyn PhoneCodeStore>,
    pub messages: Arc<dyn MessageStore>,
    pub dialogs: Arc<dyn DialogStore>,
    pub update_states: Arc<dyn UpdateStateStore>,
    /// The per-user updates log and the box writes that feed it (`crate::updates_log`).
    pub updates_log: Arc<dyn crate::updates_log::UpdateLogStore>,
    /// messages.saveDraft drafts (`crate::drafts`).
    pub drafts: Arc<dyn crate::drafts::DraftStore>,
    pub lifecycle: Arc<dyn StorageLifecycle>,
    /// Operator queries of the admin API (`crate::admin`).
    pub admin: Arc<dyn crate::admin::AdminStore>,
    pub contacts: Arc<dyn ContactStore>,
    pub blocks: Arc<dyn BlockStore>,
    pub privacy: Arc<dyn PrivacyStore>,
    pub service_users: Arc<dyn ServiceUserStore>,
    /// Basic groups and their members (`crate::chats`).
    pub chats: Arc<dyn crate::chats::ChatStore>,
    /// Supergroups and broadcast channels (`crate::channels`).
    pub channels: Arc<dyn crate::channels::ChannelStore>,
    /// Cloud passwords, SRP challenges and pending password logins (`crate::security`).
    pub passwords: Arc<dyn crate::security::PasswordStore>,
    /// QR login tokens (`crate::security`).
    pub login_tokens: Arc<dyn crate::security::LoginTokenStore>,
    /// Flood counters that survive restarts (`crate::security`).
    pub flood: Arc<dyn crate::security::FloodStore>,
    /// account.setAuthorizationTTL (`crate::security`).
    pub authorization_ttls: Arc<dyn crate::security::AuthorizationTtlStore>,
    /// Photos, documents and peer photos (`crate::media`).
    pub media: Arc<dyn crate::media::MediaStore>,
}

impl Storage {
    /// Connects to `sqlite://PATH?mode=rwc`, `sqlite::memory:` or
    /// `mysql://user:pass@host:port/db` and applies pending migrations.
    pub async fn connect(url: &str) -> StorageResult<Storage> {
        let store = SqlStore::connect(url).await?;
        tracing::info!(backend = store.dialect().name(), "storage connected");
        Ok(Storage::from_sql(Arc::new(store)))
    }

    /// Every store backed by the same SQL pool.
    pub fn from_sql(store: Arc<SqlStore>) -> Storage {
        Storage {
            auth_keys: store.clone(),
            users: store.clone(),
            authorizations: store.clone(),
            phone_codes: store.clone(),
            messages: store.clone(),
            dialogs: store.clone(),
            update_states: store.clone(),
            admin: store.clone(),
            updates_log: store.clone(),
            drafts: store.clone(),
            contacts: store.clone(),
            blocks: store.clone(),
            privacy: store.clone(),
            service_users: store.clone(),
            chats: store.clone(),
            channels: store.clone(),
            passwords: store.clone(),
            login_tokens: store.clone(),
            flood: store.clone(),
            authorization_ttls: store.clone(),
            media: store.clone(),
            lifecycle: store,
        }
    }

    /// Readiness probe: one round trip to the database.
    pub async fn ping(&self) -> StorageResult<()> {
        self.lifecycle.ping().await
    }

    /// Graceful shutdown: lets running queries finish, then closes the pool. Calls made
    /// afterwards fail with `StorageError::Database`.
    pub async fn close(&self) {
        self.lifecycle.close().await;
    }
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").finish_non_exhaustive()
    }
}
