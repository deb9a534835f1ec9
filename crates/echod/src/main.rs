//! `echod`: the Echo server. `echod run` starts every role (gateway, sessions, API, auth
//! sessions, storage) in one process on embedded defaults; `echod public-key` prints the
//! server's RSA public key and fingerprint; `echod client-config` prints per-client snippets.

mod client_config;
mod config;
mod http;
mod keys;
mod media;
#[cfg(feature = "cluster")]
mod roles;
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
    /// Split deployment: the MTProto gateway role (etc/gnetway.yaml).
    #[cfg(feature = "cluster")]
    Gnetway(roles::RoleArgs),
    /// Split deployment: the session role (etc/session.yaml).
    #[cfg(feature = "cluster")]
    Session(roles::RoleArgs),
    /// Split deployment: the API role with the admin HTTP API (etc/bff.yaml).
    #[cfg(feature = "cluster")]
    Bff(roles::RoleArgs),
    /// Split deployment: the message write path (etc/msg.yaml).
    #[cfg(feature = "cluster")]
    Msg(roles::RoleArgs),
    /// Split deployment: push delivery from the Kafka topic Sync (etc/sync.yaml).
    #[cfg(feature = "cluster")]
    Sync(roles::RoleArgs),
    /// Split deployment: auth keys and authorizations (etc/authsession.yaml).
    #[cfg(feature = "cluster")]
    Authsession(roles::RoleArgs),
    /// Split deployment: uploads, photos, documents and file reads over the dfs
    /// (etc/media.yaml).
    #[cfg(feature = "cluster")]
    Media(roles::RoleArgs),
    /// Apply pending database migrations and exit (a second run is a no-op).
    Migrate {
        #[arg(long, env = "ECHO_DATABASE_URL")]
        database_url: String,
    },
    /// Print the server's RSA public key (PKCS#1 PEM) and its fingerprint.
    PublicKey {
        #[arg(long, env = "ECHO_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => runtime()?.block_on(run::run(args)),
        #[cfg(feature = "cluster")]
        Command::Gnetway(args) => run_role(roles::Role::Gnetway, args),
        #[cfg(feature = "cluster")]
        Command::Session(args) => run_role(roles::Role::Session, args),
        #[cfg(feature = "cluster")]
        Command::Bff(args) => run_role(roles::Role::Bff, args),
        #[cfg(feature = "cluster")]
        Command::Msg(args) => run_role(roles::Role::Msg, args),
        #[cfg(feature = "cluster")]
        Command::Sync(args) => run_role(roles::Role::Sync, args),
        #[cfg(feature = "cluster")]
        Command::Media(args) => run_role(roles::Role::Media, args),
        #[cfg(feature = "cluster")]
        Command::Authsession(args) => run_role(roles::Role::Authsession, args),
        Command::Migrate { database_url } => runtime()?.block_on(async {
            // Connecting applies what is pending, in version order, each once.
            let storage = echo_storage::Storage::connect(&database_url).await?;
            storage.close().await;
            tracing::info!("migrations applied");
            Ok(())
        }),
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

/// Logging (ECHO_LOG, default info) and the multi-threaded runtime of the server commands.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ECHO_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// Runs one role; the runtime gets two seconds to wind down after the role returns, so a task
/// stuck on a dead peer cannot keep a stopped process alive.
#[cfg(feature = "cluster")]
fn run_role(role: roles::Role, args: roles::RoleArgs) -> anyhow::Result<()> {
    let rt = runtime()?;
    let result = rt.block_on(roles::run(role, args));
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    result
}
