//! Idle connections: K logged-in connections held open and pinged
//! (core.telegram.org/mtproto/service_messages#ping); the server's RSS per connection from
//! /proc/PID/status. Keys are shared: `keys` users sign up and each of the K connections opens
//! its own session on one of their keys, so the figure is per connection + session (the per-key
//! cost, one cached authorization, is small and counted once per key).

use std::sync::Arc;
use std::time::{Duration, Instant};

use echo_tl::functions;
use serde_json::json;
use tokio::task::JoinSet;

use super::{sign_up_many, PhoneSource, Target};
use crate::client::{Client, Session};
use crate::server::raise_nofile_limit;
use crate::stats::{ok_line, percentiles, round};

/// Splits `items` into `groups` round-robin groups.
fn groups<T>(items: Vec<T>, groups: usize) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = (0..groups.max(1)).map(|_| Vec::new()).collect();
    let n = out.len();
    for (i, item) in items.into_iter().enumerate() {
        if let Some(g) = out.get_mut(i % n) {
            g.push(item);
        }
    }
    out
}

pub async fn run(
    target: &Target,
    connections: usize,
    keys: usize,
    hold: Duration,
    concurrency: usize,
) -> anyhow::Result<serde_json::Value> {
    let nofile = raise_nofile_limit();
    let echod = target.start("idle").await?;
    let phones = Arc::new(PhoneSource::new());
    let owners = sign_up_many(&echod, &phones, keys.clamp(1, connections.max(1)), 8).await?;
    let sessions: Vec<Session> = owners.iter().map(|(c, _, _)| c.session.clone()).collect();
    drop(owners);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = echod.rss_kib();

    let open_started = Instant::now();
    let plan: Vec<Session> = (0..connections)
        .filter_map(|i| sessions.get(i % sessions.len().max(1)))
        .map(|s| Session::with_key(s.key.clone(), s.salt))
        .collect();
    let mut set = JoinSet::new();
    for group in groups(plan, concurrency) {
        let addr = echod.addr;
        set.spawn(async move {
            let mut open = Vec::with_capacity(group.len());
            let mut failures = Vec::new();
            for session in group {
                let outcome = async {
                    let mut client = Client::resume(addr, session).await?;
                    client.call_init(&functions::updates::GetState {}).await?;
                    Ok::<_, anyhow::Error>(client)
                }
                .await;
                match outcome {
                    Ok(c) => open.push(c),
                    Err(e) => failures.push(format!("{e:#}")),
                }
            }
            (open, failures)
        });
    }
    let mut clients = Vec::with_capacity(connections);
    let mut failures = Vec::new();
    while let Some(done) = set.join_next().await {
        let (open, failed) = done?;
        clients.extend(open);
        failures.extend(failed);
    }
    let open_took = open_started.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_after_open = echod.rss_kib();

    // Hold: ping every connection, round after round, until `hold` is over (one round at least).
    let hold_started = Instant::now();
    let mut rounds = 0;
    let mut ping_latencies: Vec<Duration> = Vec::new();
    let mut ping_failures = 0usize;
    loop {
        let mut set = JoinSet::new();
        for group in groups(std::mem::take(&mut clients), concurrency) {
            set.spawn(async move {
                let mut kept = Vec::with_capacity(group.len());
                let mut lat = Vec::with_capacity(group.len());
                let mut failed = 0usize;
                for mut c in group {
                    let t = Instant::now();
                    if c.ping().await.is_ok() {
                        lat.push(t.elapsed());
                        kept.push(c);
                    } else {
                        failed += 1;
                    }
                }
                (kept, lat, failed)
            });
        }
        while let Some(done) = set.join_next().await {
            let (kept, lat, failed) = done?;
            clients.extend(kept);
            ping_latencies.extend(lat);
            ping_failures += failed;
        }
        rounds += 1;
        if hold_started.elapsed() >= hold {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let rss_end = echod.rss_kib();
    let held = clients.len();
    let p = percentiles(&mut ping_latencies);
    let per_conn = rss_before
        .zip(rss_end)
        .filter(|_| held > 0)
        .map(|(b, a)| round((a.saturating_sub(b)) as f64 / held as f64, 2));
    failures.truncate(3);
    Ok(ok_line(
        "idle",
        json!({
            "connections_wanted": connections,
            "connections_held": held,
            "keys": sessions.len(),
            "open_failures_sample": failures,
            "open_seconds": round(open_took.as_secs_f64(), 2),
            "hold_seconds": round(hold_started.elapsed().as_secs_f64(), 2),
            "ping_rounds": rounds,
            "ping_failures": ping_failures,
            "ping_p50_ms": p.p50_ms,
            "ping_p99_ms": p.p99_ms,
            "server_rss_before_kib": rss_before,
            "server_rss_after_open_kib": rss_after_open,
            "server_rss_end_kib": rss_end,
            "server_rss_total_mib": rss_end.map(|r| round(r as f64 / 1024.0, 1)),
            "server_rss_per_connection_kib": per_conn,
            "nofile_limit": nofile,
        }),
    ))
}
