//! The media role's wiring (core.telegram.org/api/files): the dfs (local disk under the data
//! dir by default, S3 when `s3:` / `ECHO_S3_ENDPOINT` is configured), the media service on
//! top of it, and the sweeper that drops upload parts left unused.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use echo_dfs::{Dfs, LocalDisk, S3Config, S3Dfs};
use echo_media::LocalMediaService;
use echo_storage::Storage;
use tokio_util::sync::CancellationToken;

use crate::config::RunConfig;

/// Unused upload parts are kept this long (clients finish an upload within minutes).
const PARTS_MAX_AGE: Duration = Duration::from_secs(24 * 3600);
const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Builds the dfs and the media service, creating buckets that are missing.
pub async fn build(cfg: &RunConfig, storage: &Storage) -> anyhow::Result<Arc<LocalMediaService>> {
    let dfs: Arc<dyn Dfs> = match &cfg.s3 {
        Some(s3) => {
            tracing::info!(endpoint = %s3.endpoint, "media files on S3");
            Arc::new(S3Dfs::new(&S3Config {
                endpoint: s3.endpoint.clone(),
                region: s3.region.clone().unwrap_or_else(|| "us-east-1".into()),
                access_key: s3.access_key.clone(),
                secret_key: s3.secret_key.0.clone(),
                bucket_prefix: s3.bucket_prefix.clone().unwrap_or_default(),
            }))
        }
        None => Arc::new(LocalDisk::new(cfg.data_dir.join("files"))),
    };
    dfs.ensure_buckets().await.context("creating dfs buckets")?;
    Ok(Arc::new(LocalMediaService::new(
        cfg.data_dir.join("uploads"),
        dfs,
        storage.media.clone(),
        cfg.dc_id,
    )))
}

/// Sweeps stale upload parts every hour until shutdown.
pub fn spawn_sweeper(media: Arc<LocalMediaService>, shutdown: CancellationToken) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(SWEEP_EVERY) => {}
            }
            match media.sweep_parts(PARTS_MAX_AGE).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(uploads = n, "dropped stale upload parts"),
                Err(e) => tracing::warn!(error = %e, "sweeping upload parts failed"),
            }
        }
    });
}
