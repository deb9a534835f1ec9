//! SIGKILL `echod run` while a client sends messages, restart it, and check nothing
//! acknowledged was lost, duplicated, or left a pts hole (crate::crash). Builds echod (debug)
//! if needed. No timing is asserted.

use std::path::PathBuf;
use std::process::Command;

use echo_bench::crash::{run, Conversation, CrashOptions};

fn echod_binary() -> PathBuf {
    if let Ok(bin) = std::env::var("ECHOD_BIN") {
        return PathBuf::from(bin);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let status = Command::new(env!("CARGO"))
        .args(["build", "-q", "-p", "echod"])
        .current_dir(&root)
        .status()
        .expect("cargo build -p echod");
    assert!(status.success(), "building echod failed");
    root.join("target/debug/echod")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_messages_survive_sigkill() {
    let data_dir = std::env::temp_dir().join(format!("echo-crash-{}", rand::random::<u32>()));
    let opts = CrashOptions {
        binary: echod_binary(),
        data_dir: data_dir.clone(),
        conversation: Conversation::SavedMessages,
        kill_after_acked: 150,
        window: 8,
    };
    let report = run(&opts).await.expect("crash run");
    println!("{report:?}");
    assert!(report.acknowledged >= 150);
    assert!(report.problems().is_empty(), "{:?}", report.problems());
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_chat_survives_sigkill() {
    let data_dir = std::env::temp_dir().join(format!("echo-crash-{}", rand::random::<u32>()));
    let opts = CrashOptions {
        binary: echod_binary(),
        data_dir: data_dir.clone(),
        conversation: Conversation::Private,
        kill_after_acked: 150,
        window: 8,
    };
    let report = run(&opts).await.expect("crash run");
    println!("{report:?}");
    assert!(report.acknowledged >= 150);
    assert!(report.problems().is_empty(), "{:?}", report.problems());
    let _ = std::fs::remove_dir_all(&data_dir);
}
