//! Runs one test case against a fresh database of each backend.
//!
//! SQLite: a new file in the temp dir, removed afterwards. MySQL/MariaDB: a new database
//! `echo_test_<pid>_<random>` on `ECHO_TEST_MYSQL_URL` (default
//! `mysql://root@127.0.0.1:3306`), dropped afterwards. An unreachable MySQL fails the test
//! unless `ECHO_SKIP_MYSQL=1`, which skips it with a message instead.

use std::future::Future;

use echo_storage::Storage;
use sqlx::{Connection, Executor};

const DEFAULT_MYSQL_URL: &str = "mysql://root@127.0.0.1:3306";

/// What a case gets: the connected storage and the URL it came from (to connect again).
pub struct Ctx {
    pub storage: Storage,
    pub url: String,
}

fn unique_name() -> String {
    format!(
        "echo_test_{}_{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// How a case ended; a panic is carried out of its task so cleanup can run first.
enum Outcome {
    Passed,
    Failed(String),
    Panicked(Box<dyn std::any::Any + Send>),
}

/// Runs `case` in its own task, so a panic in it does not skip our cleanup.
async fn run_case<F, Fut>(ctx: Ctx, case: F) -> Outcome
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    match tokio::spawn(case(ctx)).await {
        Ok(Ok(())) => Outcome::Passed,
        Ok(Err(err)) => Outcome::Failed(format!("{err:#}")),
        Err(join) if join.is_panic() => Outcome::Panicked(join.into_panic()),
        Err(join) => Outcome::Failed(join.to_string()),
    }
}

fn finish(outcome: Outcome) {
    match outcome {
        Outcome::Passed => {}
        Outcome::Failed(err) => panic!("{err}"),
        Outcome::Panicked(panic) => std::panic::resume_unwind(panic),
    }
}

pub async fn sqlite<F, Fut>(case: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let storage = Storage::connect(&url)
        .await
        .expect("open temp SQLite database");
    let closer = storage.clone();
    let outcome = run_case(Ctx { storage, url }, case).await;
    closer.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    finish(outcome);
}

pub async fn mysql<F, Fut>(case: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    if std::env::var("ECHO_SKIP_MYSQL").is_ok_and(|v| v == "1") {
        eprintln!("MySQL test skipped: ECHO_SKIP_MYSQL=1");
        return;
    }
    sqlx::any::install_default_drivers();
    let server = std::env::var("ECHO_TEST_MYSQL_URL").unwrap_or_else(|_| DEFAULT_MYSQL_URL.into());
    let server = server.trim_end_matches('/').to_owned();
    let mut admin = match sqlx::AnyConnection::connect(&server).await {
        Ok(conn) => conn,
        Err(err) => panic!(
            "MariaDB/MySQL is unreachable at {server}: {err}. Start it (root, empty password) \
             or set ECHO_TEST_MYSQL_URL, or set ECHO_SKIP_MYSQL=1 to skip the MySQL half of the suite"
        ),
    };
    let name = unique_name();
    admin
        .execute(
            format!("CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
                .as_str(),
        )
        .await
        .expect("create test database");
    let url = format!("{server}/{name}");
    let outcome = match Storage::connect(&url).await {
        Ok(storage) => {
            let closer = storage.clone();
            let outcome = run_case(Ctx { storage, url }, case).await;
            closer.close().await;
            outcome
        }
        Err(err) => Outcome::Failed(format!("connect to {url}: {err}")),
    };
    if let Err(err) = admin
        .execute(format!("DROP DATABASE {name}").as_str())
        .await
    {
        eprintln!("could not drop test database {name}: {err}");
    }
    let _ = admin.close().await;
    finish(outcome);
}
