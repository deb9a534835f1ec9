//! The benchmark scenarios. Each returns one JSON value (printed as one line by the caller):
//! `{"scenario": NAME, "status": "ok" | "unsupported" | "error", ...figures}`.

pub mod catchup;
pub mod coldstart;
pub mod crypto;
pub mod fanout;
pub mod handshakes;
pub mod idle;
pub mod messages;
pub mod signups;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use anyhow::Context;
use echo_mtproto::rsa_key::ServerPublicKey;
use tokio::task::JoinSet;

use crate::auth::{bench_phone, sign_up, BenchUser};
use crate::client::Client;
use crate::server::{Echod, SpawnOptions};

/// Where the server under test comes from.
#[derive(Clone, Debug)]
pub enum Target {
    /// A fresh `echod run` per scenario in `work_dir/NAME` (SQLite, development codes, no
    /// per-user send flood limit).
    Spawn { binary: PathBuf, work_dir: PathBuf },
    /// A running echod (started with ECHO_DEV_CODES=1); `pid` enables the RSS/CPU figures.
    Attach {
        addr: SocketAddr,
        pid: Option<u32>,
        public_key: ServerPublicKey,
    },
}

impl Target {
    /// The server for one scenario.
    pub async fn start(&self, scenario: &str) -> anyhow::Result<Echod> {
        match self {
            Target::Spawn { binary, work_dir } => {
                let data_dir = work_dir.join(scenario);
                // A previous run's database would skew the figures.
                let _ = std::fs::remove_dir_all(&data_dir);
                let opts = SpawnOptions {
                    binary: binary.clone(),
                    data_dir,
                    database_url: None,
                    ports: None,
                    // Load scenarios measure the server, not the per-user flood limit
                    // (300 sends/min by default), which a pair at full speed passes in
                    // well under a second.
                    send_message_per_minute: Some(0),
                };
                Ok(Echod::spawn(&opts).await?.0)
            }
            Target::Attach {
                addr,
                pid,
                public_key,
            } => Ok(Echod::attach(*addr, *pid, public_key.clone())),
        }
    }
}

/// Tells the phone numbers of one tool run apart from earlier runs on the same database.
pub struct PhoneSource {
    run: u32,
    next: AtomicU32,
}

impl PhoneSource {
    pub fn new() -> Self {
        Self {
            run: rand::random::<u32>() % 100_000,
            next: AtomicU32::new(0),
        }
    }

    pub fn next(&self) -> String {
        bench_phone(self.run, self.next.fetch_add(1, Ordering::Relaxed))
    }
}

impl Default for PhoneSource {
    fn default() -> Self {
        Self::new()
    }
}

/// Signs up `count` users, `concurrency` at a time; each keeps its connection.
pub async fn sign_up_many(
    echod: &Echod,
    phones: &Arc<PhoneSource>,
    count: usize,
    concurrency: usize,
) -> anyhow::Result<Vec<(Client, BenchUser, String)>> {
    let mut out = Vec::with_capacity(count);
    let mut set = JoinSet::new();
    let mut started = 0;
    while out.len() < count {
        while started < count && set.len() < concurrency.max(1) {
            let (addr, key, phones) = (echod.addr, echod.public_key.clone(), phones.clone());
            set.spawn(async move {
                let phone = phones.next();
                let mut client = Client::connect_new(addr, &key).await?;
                let user = sign_up(&mut client, &phone).await?;
                Ok::<_, anyhow::Error>((client, user, phone))
            });
            started += 1;
        }
        match set.join_next().await {
            Some(done) => out.push(done.context("sign-up task")??),
            None => break,
        }
    }
    Ok(out)
}
