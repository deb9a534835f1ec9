//! New auth keys per second (core.telegram.org/mtproto/auth_key): `concurrency` clients each
//! open a connection, run the whole handshake and close, for `duration`. Compared with the
//! crypto limit measured in the same run (crate::scenarios::crypto).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use echo_mtproto::transport::TransportKind;
use serde_json::json;
use tokio::task::JoinSet;

use super::crypto::{self, CryptoLimit};
use super::Target;
use crate::stats::{ok_line, percentiles, rate, round};
use crate::wire::Wire;

pub async fn run(
    target: &Target,
    concurrency: usize,
    duration: Duration,
    limit: Option<CryptoLimit>,
) -> anyhow::Result<serde_json::Value> {
    let limit = match limit {
        Some(l) => l,
        None => tokio::task::spawn_blocking(|| crypto::measure(Duration::from_secs(1))).await??,
    };
    let echod = target.start("handshakes").await?;
    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicUsize::new(0));
    let cpu_before = echod.cpu_time();
    let started = Instant::now();
    let mut set = JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (addr, key, stop, failures) = (
            echod.addr,
            echod.public_key.clone(),
            stop.clone(),
            failures.clone(),
        );
        set.spawn(async move {
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let one = Instant::now();
                let outcome = async {
                    let mut wire = Wire::connect(addr, TransportKind::Intermediate).await?;
                    wire.create_key(key.clone()).await
                }
                .await;
                match outcome {
                    Ok(_) => latencies.push(one.elapsed()),
                    Err(_) => {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            latencies
        });
    }
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    while let Some(done) = set.join_next().await {
        latencies.extend(done?);
    }
    let took = started.elapsed();
    let cpu = echod.cpu_time().zip(cpu_before).map(|(a, b)| a - b);
    let done = latencies.len();
    let per_s = rate(done, took);
    let p = percentiles(&mut latencies);
    Ok(ok_line(
        "handshakes",
        json!({
            "concurrency": concurrency,
            "seconds": round(took.as_secs_f64(), 2),
            "handshakes": done,
            "failures": failures.load(Ordering::Relaxed),
            "handshakes_per_s": per_s,
            "latency_p50_ms": p.p50_ms,
            "latency_p99_ms": p.p99_ms,
            "limit_server_only_per_s": round(limit.server_handshakes_per_s(), 1),
            "limit_shared_with_clients_per_s": round(limit.shared_handshakes_per_s(), 1),
            "ratio_to_server_only_limit": round(per_s / limit.server_handshakes_per_s(), 3),
            "ratio_to_shared_limit": round(per_s / limit.shared_handshakes_per_s(), 3),
            "ideal_limit_server_only_per_s": round(limit.ideal_server_handshakes_per_s(), 1),
            "ideal_limit_shared_per_s": round(limit.ideal_shared_handshakes_per_s(), 1),
            "ratio_to_ideal_server_only_limit": round(per_s / limit.ideal_server_handshakes_per_s(), 3),
            "ratio_to_ideal_shared_limit": round(per_s / limit.ideal_shared_handshakes_per_s(), 3),
            "server_cpu_ms_per_handshake": cpu.filter(|_| done > 0)
                .map(|c| round(c.as_secs_f64() * 1e3 / done as f64, 3)),
        }),
    ))
}
