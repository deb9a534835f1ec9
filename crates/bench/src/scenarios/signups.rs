//! Sign-ups per second (core.telegram.org/api/auth: auth.sendCode → auth.signIn →
//! auth.signUp). Keys are made first, so the rate counts the three calls only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;
use tokio::task::JoinSet;

use super::{PhoneSource, Target};
use crate::auth::sign_up;
use crate::client::Client;
use crate::stats::{ok_line, percentiles, rate, round};

pub async fn run(
    target: &Target,
    count: usize,
    concurrency: usize,
) -> anyhow::Result<serde_json::Value> {
    let echod = target.start("signups").await?;
    let phones = Arc::new(PhoneSource::new());
    // Keys first, `concurrency` at a time.
    let mut clients = Vec::with_capacity(count);
    let mut set = JoinSet::new();
    let mut started = 0;
    while clients.len() < count {
        while started < count && set.len() < concurrency.max(1) {
            let (addr, key) = (echod.addr, echod.public_key.clone());
            set.spawn(async move { Client::connect_new(addr, &key).await });
            started += 1;
        }
        match set.join_next().await {
            Some(done) => clients.push(done.context("handshake task")??),
            None => break,
        }
    }
    let cpu_before = echod.cpu_time();
    let begin = Instant::now();
    // `concurrency` workers share the clients.
    let chunks: Vec<Vec<Client>> = {
        let mut chunks: Vec<Vec<Client>> = (0..concurrency.max(1)).map(|_| Vec::new()).collect();
        for (i, c) in clients.into_iter().enumerate() {
            if let Some(chunk) = chunks.get_mut(i % concurrency.max(1)) {
                chunk.push(c);
            }
        }
        chunks
    };
    let mut set = JoinSet::new();
    for chunk in chunks {
        let phones = phones.clone();
        set.spawn(async move {
            let mut latencies: Vec<Duration> = Vec::new();
            let mut failures = 0usize;
            for mut client in chunk {
                let one = Instant::now();
                match sign_up(&mut client, &phones.next()).await {
                    Ok(_) => latencies.push(one.elapsed()),
                    Err(_) => failures += 1,
                }
            }
            (latencies, failures)
        });
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    while let Some(done) = set.join_next().await {
        let (l, f) = done?;
        latencies.extend(l);
        failures += f;
    }
    let took = begin.elapsed();
    let cpu = echod.cpu_time().zip(cpu_before).map(|(a, b)| a - b);
    let done = latencies.len();
    let p = percentiles(&mut latencies);
    Ok(ok_line(
        "signups",
        json!({
            "concurrency": concurrency,
            "signups": done,
            "failures": failures,
            "seconds": round(took.as_secs_f64(), 2),
            "signups_per_s": rate(done, took),
            "latency_p50_ms": p.p50_ms,
            "latency_p99_ms": p.p99_ms,
            "server_cpu_ms_per_signup": cpu.filter(|_| done > 0)
                .map(|c| round(c.as_secs_f64() * 1e3 / done as f64, 3)),
        }),
    ))
}
