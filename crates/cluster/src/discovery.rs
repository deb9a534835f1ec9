//! Service discovery in etcd: every role instance puts `/echo/roles/<role>/<addr>` under a
//! lease it keeps alive; callers watch the prefix and keep an [`Endpoints`] set current. An
//! instance that dies stops renewing its lease and disappears from every caller within the
//! lease TTL.

use std::sync::Arc;
use std::time::Duration;

use echo_rpc::Endpoints;
use etcd_client::{Client, GetOptions, PutOptions, WatchOptions};
use tokio_util::sync::CancellationToken;

use crate::ClusterError;

fn prefix(role: &str) -> String {
    format!("/echo/roles/{role}/")
}

/// Connects to etcd (`endpoints`: "host:port" list).
pub async fn connect(endpoints: &[String]) -> Result<Client, ClusterError> {
    Ok(Client::connect(endpoints, None).await?)
}

/// A live registration; dropping it changes nothing, [`Registration::abandon`] stops renewing
/// without revoking (what a crashed process does).
#[derive(Debug)]
pub struct Registration {
    renewer: tokio::task::JoinHandle<()>,
}

impl Registration {
    /// Stops renewing the lease, leaving the entry to expire after its TTL.
    pub fn abandon(self) {
        self.renewer.abort();
    }
}

/// Announces this instance of `role` at `addr` until `shutdown`, renewing a lease of `ttl`.
/// If etcd is unreachable for longer than the TTL the entry lapses; the loop re-registers
/// as soon as etcd answers again.
pub async fn register(
    client: Client,
    role: &str,
    addr: &str,
    ttl: Duration,
    shutdown: CancellationToken,
) -> Result<Registration, ClusterError> {
    let key = format!("{}{addr}", prefix(role));
    let ttl_secs = i64::try_from(ttl.as_secs().max(1)).unwrap_or(5);
    let mut client = client;
    // The first registration must succeed, so a misconfigured role fails at start.
    let mut lease = put_with_lease(&mut client, &key, addr, ttl_secs).await?;
    tracing::info!(role, addr, ttl_secs, "registered in etcd");
    let role = role.to_owned();
    let addr = addr.to_owned();
    let renewer = tokio::spawn(async move {
        let renew_every = Duration::from_millis((ttl_secs as u64 * 1000 / 3).max(200));
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => {
                    // Leave at once rather than after the TTL.
                    let _ = client.lease_revoke(lease).await;
                    break;
                }
                _ = tokio::time::sleep(renew_every) => {}
            }
            // Bounded: an answer that never comes must not let the lease lapse unnoticed.
            let exchange = async {
                match client.lease_keep_alive(lease).await {
                    Ok((mut keeper, mut stream)) => match keeper.keep_alive().await {
                        Ok(()) => matches!(stream.message().await, Ok(Some(r)) if r.ttl() > 0),
                        Err(_) => false,
                    },
                    Err(_) => false,
                }
            };
            let renewed = tokio::time::timeout(renew_every, exchange)
                .await
                .unwrap_or(false);
            if !renewed {
                match put_with_lease(&mut client, &key, &addr, ttl_secs).await {
                    Ok(l) => {
                        tracing::info!(role, addr, "re-registered in etcd");
                        lease = l;
                    }
                    Err(e) => tracing::warn!(role, error = %e, "etcd registration lapsed"),
                }
            }
        }
    });
    Ok(Registration { renewer })
}

async fn put_with_lease(
    client: &mut Client,
    key: &str,
    addr: &str,
    ttl_secs: i64,
) -> Result<i64, ClusterError> {
    let lease = client.lease_grant(ttl_secs, None).await?.id();
    client
        .put(key, addr, Some(PutOptions::new().with_lease(lease)))
        .await?;
    Ok(lease)
}

/// The live instances of `role`, kept current from etcd until `shutdown`.
pub async fn watch(
    client: Client,
    role: &str,
    shutdown: CancellationToken,
) -> Result<Arc<Endpoints>, ClusterError> {
    let endpoints = Arc::new(Endpoints::new(role));
    let mut client = client;
    refresh(&mut client, &endpoints).await?;
    let set = endpoints.clone();
    let key = prefix(role);
    tokio::spawn(async move {
        loop {
            let watched = client
                .watch(key.as_str(), Some(WatchOptions::new().with_prefix()))
                .await;
            match watched {
                Ok(mut stream) => loop {
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        event = stream.message() => match event {
                            // Any change: re-read the whole prefix (small, and never
                            // out of step with a missed event).
                            Ok(Some(_)) => {
                                if let Err(e) = refresh(&mut client, &set).await {
                                    tracing::warn!(error = %e, "etcd refresh failed");
                                }
                            }
                            _ => break,
                        },
                    }
                },
                Err(e) => tracing::warn!(error = %e, role = set.role(), "etcd watch failed"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            let _ = refresh(&mut client, &set).await;
        }
    });
    Ok(endpoints)
}

async fn refresh(client: &mut Client, endpoints: &Endpoints) -> Result<(), ClusterError> {
    let got = client
        .get(
            prefix(endpoints.role()),
            Some(GetOptions::new().with_prefix()),
        )
        .await?;
    let addrs: Vec<String> = got
        .kvs()
        .iter()
        .filter_map(|kv| kv.value_str().ok().map(str::to_owned))
        .collect();
    let before = endpoints.addrs();
    endpoints.set(addrs)?;
    let after = endpoints.addrs();
    if before != after {
        tracing::info!(role = endpoints.role(), instances = ?after, "instances changed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn until(what: &str, mut check: impl FnMut() -> bool) {
        for _ in 0..100 {
            if check() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never happened: {what}");
    }

    /// Against a real etcd when ECHO_TEST_ETCD (host:port) is set (scripts/test.sh starts one).
    #[tokio::test]
    async fn instances_come_and_go_with_their_leases() {
        let Ok(endpoint) = std::env::var("ECHO_TEST_ETCD") else {
            eprintln!("skipped: ECHO_TEST_ETCD unset");
            return;
        };
        let client = connect(&[endpoint]).await.unwrap();
        let role = format!("test-{}", std::process::id());
        let shutdown = CancellationToken::new();
        let seen = watch(client.clone(), &role, shutdown.clone())
            .await
            .unwrap();
        assert!(seen.addrs().is_empty());
        let ttl = Duration::from_secs(1);
        let stays = CancellationToken::new();
        let _a = register(client.clone(), &role, "10.0.0.1:7001", ttl, stays.clone())
            .await
            .unwrap();
        let b = register(
            client.clone(),
            &role,
            "10.0.0.2:7001",
            ttl,
            CancellationToken::new(),
        )
        .await
        .unwrap();
        until("both registered", || seen.addrs().len() == 2).await;
        // A crashed instance stops renewing: gone within its TTL (plus etcd's expiry sweep).
        b.abandon();
        until("the abandoned one expired", || {
            seen.addrs() == vec!["10.0.0.1:7001".to_owned()]
        })
        .await;
        // The live one outlived several TTLs, and leaves at once on shutdown.
        stays.cancel();
        until("the stopped one left", || seen.addrs().is_empty()).await;
        shutdown.cancel();
    }
}
