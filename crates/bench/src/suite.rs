//! `echo-bench suite`: a short version of every scenario (well under five minutes on two
//! cores), each line printed as it completes, then `latest.json` (machine + results) and
//! `latest.jsonl` (the raw lines) in the output directory, and the lines appended to
//! `history.jsonl`.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::machine;
use crate::scenarios::{self, Target};
use crate::stats::{error_line, round};

/// Sizes of one suite run.
#[derive(Clone, Debug)]
pub struct SuiteSize {
    pub crypto_seconds: f64,
    pub handshake_concurrency: usize,
    pub handshake_seconds: f64,
    pub signups: usize,
    pub idle_connections: usize,
    pub idle_keys: usize,
    pub idle_hold_seconds: f64,
    pub message_pairs: usize,
    pub messages_per_pair: usize,
    pub message_window: usize,
    pub fanout_members: usize,
    pub fanout_posts: usize,
    pub catchup_missed: usize,
    pub coldstart_users: u64,
    pub coldstart_messages: u64,
}

impl SuiteSize {
    /// The `make bench` size.
    pub fn short() -> Self {
        Self {
            crypto_seconds: 1.0,
            handshake_concurrency: 4,
            handshake_seconds: 8.0,
            signups: 200,
            idle_connections: 10_000,
            idle_keys: 100,
            idle_hold_seconds: 5.0,
            message_pairs: 20,
            messages_per_pair: 250,
            message_window: 4,
            fanout_members: scenarios::fanout::CREATE_CHAT_MAX,
            fanout_posts: 5,
            catchup_missed: 1_000,
            coldstart_users: 10_000,
            coldstart_messages: 200_000,
        }
    }

    /// The full size (cold start on 100k users / 10 M messages takes long).
    pub fn full() -> Self {
        Self {
            crypto_seconds: 3.0,
            handshake_concurrency: 8,
            handshake_seconds: 30.0,
            signups: 2_000,
            idle_connections: 10_000,
            idle_keys: 1_000,
            idle_hold_seconds: 60.0,
            message_pairs: 100,
            messages_per_pair: 2_000,
            message_window: 8,
            fanout_members: scenarios::fanout::CREATE_CHAT_MAX,
            fanout_posts: 20,
            catchup_missed: 1_000,
            coldstart_users: 100_000,
            coldstart_messages: 10_000_000,
        }
    }
}

fn emit(line: &Value, all: &mut Vec<Value>) {
    println!("{line}");
    let _ = std::io::stdout().flush();
    all.push(line.clone());
}

/// Prints a scenario's line as soon as it is known (a failure as an error line).
fn step(name: &str, result: anyhow::Result<Value>, all: &mut Vec<Value>) {
    let line = result.unwrap_or_else(|e| error_line(name, &e));
    emit(&line, all);
}

pub async fn run(target: &Target, size: &SuiteSize, out_dir: &Path) -> anyhow::Result<Value> {
    let started = Instant::now();
    let mut lines = Vec::new();
    let secs = Duration::from_secs_f64;

    let per_kind = secs(size.crypto_seconds);
    let limit = tokio::task::spawn_blocking(move || scenarios::crypto::measure(per_kind)).await??;
    let crypto = crate::stats::ok_line("crypto", scenarios::crypto::to_json(&limit));
    emit(&crypto, &mut lines);

    let r = scenarios::handshakes::run(
        target,
        size.handshake_concurrency,
        secs(size.handshake_seconds),
        Some(limit),
    )
    .await;
    step("handshakes", r, &mut lines);
    let r = scenarios::signups::run(target, size.signups, 8).await;
    step("signups", r, &mut lines);
    let r = scenarios::idle::run(
        target,
        size.idle_connections,
        size.idle_keys,
        secs(size.idle_hold_seconds),
        64,
    )
    .await;
    step("idle", r, &mut lines);
    let r = scenarios::messages::run(
        target,
        size.message_pairs,
        size.messages_per_pair,
        size.message_window,
    )
    .await;
    step("messages", r, &mut lines);
    let r = scenarios::fanout::run(
        target,
        scenarios::fanout::GroupKind::Chat,
        size.fanout_members,
        size.fanout_posts,
    )
    .await;
    step("fanout", r, &mut lines);
    let r = scenarios::catchup::run(target, size.catchup_missed, 16).await;
    step("catchup", r, &mut lines);
    let r = scenarios::coldstart::run(target, size.coldstart_users, size.coldstart_messages).await;
    step("coldstart", r, &mut lines);

    let summary = json!({
        "date_unix": crate::wire::unix_now(),
        "machine": machine::describe(),
        "suite_seconds": round(started.elapsed().as_secs_f64(), 1),
        "results": lines,
    });
    std::fs::create_dir_all(out_dir)?;
    std::fs::write(
        out_dir.join("latest.json"),
        serde_json::to_string_pretty(&summary)? + "\n",
    )?;
    let raw: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(out_dir.join("latest.jsonl"), &raw)?;
    let mut history = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out_dir.join("history.jsonl"))?;
    history.write_all(raw.as_bytes())?;
    Ok(summary)
}
