//! What machine the figures come from: core count, CPU model (/proc/cpuinfo) and memory
//! (/proc/meminfo), recorded next to every result set.

use serde_json::{json, Value};

/// The first "model name" of /proc/cpuinfo, if readable.
pub fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

/// MemTotal in MiB, if readable.
pub fn mem_total_mib() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

pub fn describe() -> Value {
    json!({
        "nproc": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "cpu_model": cpu_model(),
        "mem_total_mib": mem_total_mib(),
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
    })
}
