//! `echo-bench`: Echo's load tool. Each scenario prints one JSON line; `suite` runs a short
//! version of all of them and writes bench/results/latest.json; `generate` fills a database
//! for the cold-start benchmark. See the README section "Benchmarks".

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use clap::{Parser, Subcommand};
use echo_bench::scenarios::{self, Target};
use echo_bench::server::raise_nofile_limit;
use echo_bench::suite::{self, SuiteSize};
use echo_mtproto::rsa_key::ServerPublicKey;

#[derive(Parser)]
#[command(name = "echo-bench", about = "Load tool and benchmarks for echod")]
struct Cli {
    /// Start a fresh `echod run` (this binary) per scenario, with development codes.
    #[arg(long, global = true)]
    spawn: Option<PathBuf>,
    /// Where spawned servers keep their data.
    #[arg(long, global = true, default_value = "target/bench-work")]
    work_dir: PathBuf,
    /// MTProto address of a running echod (started with ECHO_DEV_CODES=1).
    #[arg(long, global = true)]
    addr: Option<SocketAddr>,
    /// Its pid, for the RSS and CPU figures.
    #[arg(long, global = true)]
    pid: Option<u32>,
    /// Its RSA public key (PKCS#1 PEM, as `echod public-key` prints it).
    #[arg(long, global = true)]
    key: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// RSA-2048 private operations/s and 2048-bit modexps/s on all cores.
    Crypto {
        #[arg(long, default_value_t = 1.0)]
        seconds: f64,
    },
    /// New auth keys per second.
    Handshakes {
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        #[arg(long, default_value_t = 8.0)]
        seconds: f64,
    },
    /// auth.sendCode + signIn + signUp per second.
    Signups {
        #[arg(long, default_value_t = 200)]
        count: usize,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
    /// K logged-in connections held with pings; server RSS per connection.
    Idle {
        #[arg(long, default_value_t = 10_000)]
        connections: usize,
        #[arg(long, default_value_t = 100)]
        keys: usize,
        #[arg(long, default_value_t = 5.0)]
        hold: f64,
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
    },
    /// Private-message throughput and latency over N pairs.
    Messages {
        #[arg(long, default_value_t = 20)]
        pairs: usize,
        #[arg(long, default_value_t = 250)]
        per_pair: usize,
        #[arg(long, default_value_t = 4)]
        window: usize,
    },
    /// One post to M online members of a group; time to the last push.
    Fanout {
        /// Basic group (chat) or channel.
        #[arg(long, value_enum, default_value = "chat")]
        kind: scenarios::fanout::GroupKind,
        /// Members besides the poster (createChat takes 200; more are added one by one).
        #[arg(long, default_value_t = scenarios::fanout::CREATE_CHAT_MAX)]
        members: usize,
        /// Posts, one at a time; the figures are medians over them.
        #[arg(long, default_value_t = 5)]
        posts: usize,
    },
    /// updates.getDifference over N missed updates.
    Catchup {
        #[arg(long, default_value_t = 1_000)]
        missed: usize,
        #[arg(long, default_value_t = 16)]
        window: usize,
    },
    /// Time from `echod run` to /healthz on a generated database.
    Coldstart {
        #[arg(long, default_value_t = 10_000)]
        users: u64,
        #[arg(long, default_value_t = 200_000)]
        messages: u64,
    },
    /// Fill a database with generated users and messages.
    Generate {
        #[arg(long)]
        users: u64,
        #[arg(long)]
        messages: u64,
        #[arg(long)]
        db: String,
    },
    /// Write the fuzz targets' seed corpora (fuzz/corpus/TARGET/...).
    FuzzSeeds {
        #[arg(long, default_value = "fuzz/corpus")]
        out: PathBuf,
    },
    /// A short version of every scenario; writes OUT/latest.json and OUT/latest.jsonl.
    Suite {
        #[arg(long, default_value = "bench/results")]
        out: PathBuf,
        /// The full sizes (takes long: 10 M messages for the cold start).
        #[arg(long)]
        full: bool,
    },
}

fn target(cli: &Cli) -> anyhow::Result<Target> {
    if let Some(binary) = &cli.spawn {
        let work_dir = std::path::absolute(&cli.work_dir)?;
        return Ok(Target::Spawn {
            binary: std::path::absolute(binary)?,
            work_dir,
        });
    }
    let addr = cli.addr.ok_or_else(|| {
        anyhow!("give --spawn PATH_TO_ECHOD, or --addr and --key of a running echod")
    })?;
    let key_path = cli
        .key
        .as_ref()
        .ok_or_else(|| anyhow!("--addr needs --key PEM_FILE"))?;
    let pem = std::fs::read_to_string(key_path)
        .with_context(|| format!("reading {}", key_path.display()))?;
    let public_key =
        ServerPublicKey::from_pkcs1_pem(&pem).map_err(|e| anyhow!("bad key file: {e}"))?;
    Ok(Target::Attach {
        addr,
        pid: cli.pid,
        public_key,
    })
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Before any server is spawned, so it inherits the raised limit too.
    raise_nofile_limit();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let secs = Duration::from_secs_f64;
    let line = match &cli.command {
        Command::Generate {
            users,
            messages,
            db,
        } => {
            let s = echo_bench::generate::generate(db, *users, *messages).await?;
            echo_bench::stats::ok_line(
                "generate",
                serde_json::json!({
                    "users": s.users, "messages": s.messages, "box_rows": s.box_rows,
                    "dialogs": s.dialogs, "seconds": s.took.as_secs_f64(),
                }),
            )
        }
        Command::FuzzSeeds { out } => {
            let written = echo_bench::fuzz_seeds::write_all(out)?;
            eprintln!("echo-bench: wrote {written} seeds under {}", out.display());
            return Ok(());
        }
        Command::Crypto { seconds } => {
            let per_kind = secs(*seconds);
            tokio::task::spawn_blocking(move || scenarios::crypto::run(per_kind)).await??
        }
        Command::Handshakes {
            concurrency,
            seconds,
        } => scenarios::handshakes::run(&target(&cli)?, *concurrency, secs(*seconds), None).await?,
        Command::Signups { count, concurrency } => {
            scenarios::signups::run(&target(&cli)?, *count, *concurrency).await?
        }
        Command::Idle {
            connections,
            keys,
            hold,
            concurrency,
        } => {
            scenarios::idle::run(
                &target(&cli)?,
                *connections,
                *keys,
                secs(*hold),
                *concurrency,
            )
            .await?
        }
        Command::Messages {
            pairs,
            per_pair,
            window,
        } => scenarios::messages::run(&target(&cli)?, *pairs, *per_pair, *window).await?,
        Command::Fanout {
            kind,
            members,
            posts,
        } => scenarios::fanout::run(&target(&cli)?, *kind, *members, *posts).await?,
        Command::Catchup { missed, window } => {
            scenarios::catchup::run(&target(&cli)?, *missed, *window).await?
        }
        Command::Coldstart { users, messages } => {
            scenarios::coldstart::run(&target(&cli)?, *users, *messages).await?
        }
        Command::Suite { out, full } => {
            let size = if *full {
                SuiteSize::full()
            } else {
                SuiteSize::short()
            };
            let summary = suite::run(&target(&cli)?, &size, out).await?;
            eprintln!(
                "echo-bench: suite took {} s; wrote {}",
                summary["suite_seconds"],
                out.join("latest.json").display()
            );
            return Ok(());
        }
    };
    println!("{line}");
    if line["status"] == "error" {
        bail!("scenario failed");
    }
    Ok(())
}
