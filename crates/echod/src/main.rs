//! `echod`: the Echo server. `echod run` starts every role (gateway, sessions, API, auth
//! sessions, storage) in one process on embedded defaults; `echod public-key` prints the
//! server's RSA public key and fingerprint; `echod client-config` prints per-client snippets.

mod client_config;
mod config;
mod http;
mod keys;
mod run;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "echod",
    version,
    about = "Echo: an MTProto-compatible messenger server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start every role in one process (embedded storage by default).
    Run(run::RunArgs),
    /// Print the values and snippets that point clients (Android, Desktop, Telethon, Pyrogram
    /// forks, TDLib) at this server's key and address.
    ClientConfig(client_config::ClientConfigArgs),
    /// Print the server's RSA public key (PKCS#1 PEM) and its fingerprint.
    PublicKey {
        #[arg(long, env = "ECHO_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => {
            tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_env("ECHO_LOG")
                        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
                )
                .init();
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(run::run(args))
        }
        Command::ClientConfig(args) => client_config::run(args),
        Command::PublicKey { data_dir } => {
            let key = keys::load_or_create_rsa(&data_dir)?;
            let fingerprint = key.fingerprint();
            print!("{}", key.public_pem_pkcs1());
            println!("fingerprint: {fingerprint} (0x{:016x})", fingerprint as u64);
            Ok(())
        }
    }
}
