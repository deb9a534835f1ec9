//! Cold start: the time from `echod run` to a 200 from /healthz on a database the generator
//! filled (crate::generate). Needs `--spawn` (the tool must start echod itself).

use std::time::Duration;

use serde_json::json;

use super::Target;
use crate::generate::generate;
use crate::server::{Echod, SpawnOptions};
use crate::stats::{ok_line, round, unsupported_line};

pub async fn run(target: &Target, users: u64, messages: u64) -> anyhow::Result<serde_json::Value> {
    let Target::Spawn { binary, work_dir } = target else {
        return Ok(unsupported_line(
            "coldstart",
            "needs --spawn: the tool has to start echod itself",
        ));
    };
    let data_dir = work_dir.join("coldstart");
    let _ = std::fs::remove_dir_all(&data_dir);
    std::fs::create_dir_all(&data_dir)?;
    let db = data_dir.join("echo.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let summary = generate(&url, users, messages).await?;
    let db_bytes = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    let opts = SpawnOptions {
        binary: binary.clone(),
        data_dir,
        database_url: None,
        ports: None,
        send_message_per_minute: None,
    };
    // Twice: the first start may find the file out of the page cache, the second does not.
    let (mut first, first_took) = Echod::spawn(&opts).await?;
    let rss = first.rss_kib();
    first.stop();
    drop(first);
    let (second, second_took) = Echod::spawn(&opts).await?;
    drop(second);
    let ms = |d: Duration| round(d.as_secs_f64() * 1e3, 1);
    Ok(ok_line(
        "coldstart",
        json!({
            "users": summary.users,
            "messages": summary.messages,
            "box_rows": summary.box_rows,
            "dialogs": summary.dialogs,
            "db_mib": round(db_bytes as f64 / (1024.0 * 1024.0), 1),
            "generate_s": round(summary.took.as_secs_f64(), 2),
            "start_to_healthz_ms": ms(first_took),
            "restart_to_healthz_ms": ms(second_took),
            "server_rss_after_start_kib": rss,
        }),
    ))
}
