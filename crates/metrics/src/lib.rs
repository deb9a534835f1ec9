//! Echo's metrics: one [`Metrics`] value per server, created by `echod` and handed explicitly to
//! the gateway, the session manager and the API layer (no global registry, so two servers in
//! one test process keep separate numbers). Rendered in the Prometheus text exposition format
//! (prometheus.io/docs/instrumenting/exposition_formats) by [`Metrics::render`].
//!
//! What is measured: connections and handshakes per gateway, RPC calls by method and error with
//! a latency histogram per method, and session events. Gauges that are cheaper to read on demand
//! (live sessions, queue depths) are passed to `render` by whoever serves `/metrics`.

mod histogram;
mod text;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

pub use histogram::Histogram;
pub use text::{escape_label, Sample};

/// Distinct (method, error) pairs kept; later new pairs are counted under error "OTHER" so a
/// client sending endless distinct errors cannot grow the table without bound.
const MAX_RPC_SERIES: usize = 4096;

/// Counters of one MTProto gateway (one listener).
#[derive(Debug, Default)]
pub struct GatewayMetrics {
    connections_open: AtomicI64,
    connections_total: AtomicU64,
    handshakes_perm: AtomicU64,
    handshakes_temp: AtomicU64,
    handshakes_failed: AtomicU64,
    messages_in: AtomicU64,
}

/// Decrements the open-connection gauge when the connection ends, whatever way it ends.
#[derive(Debug)]
pub struct ConnectionGuard(Arc<GatewayMetrics>);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.connections_open.fetch_sub(1, Ordering::Relaxed);
    }
}

impl GatewayMetrics {
    /// Counts a new connection; keep the guard for as long as the connection lives.
    pub fn connection_opened(self: &Arc<Self>) -> ConnectionGuard {
        self.connections_total.fetch_add(1, Ordering::Relaxed);
        self.connections_open.fetch_add(1, Ordering::Relaxed);
        ConnectionGuard(self.clone())
    }

    /// A handshake produced a key (`temp`: a PFS temp key, core.telegram.org/api/pfs).
    pub fn handshake_completed(&self, temp: bool) {
        let counter = if temp {
            &self.handshakes_temp
        } else {
            &self.handshakes_perm
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn handshake_failed(&self) {
        self.handshakes_failed.fetch_add(1, Ordering::Relaxed);
    }

    /// One decrypted client message handed to a session.
    pub fn message_in(&self) {
        self.messages_in.fetch_add(1, Ordering::Relaxed);
    }

    pub fn connections_open(&self) -> i64 {
        self.connections_open.load(Ordering::Relaxed)
    }

    pub fn connections_total(&self) -> u64 {
        self.connections_total.load(Ordering::Relaxed)
    }

    pub fn handshakes(&self) -> (u64, u64, u64) {
        (
            self.handshakes_perm.load(Ordering::Relaxed),
            self.handshakes_temp.load(Ordering::Relaxed),
            self.handshakes_failed.load(Ordering::Relaxed),
        )
    }
}

/// Session-layer events.
#[derive(Debug, Default)]
pub struct SessionMetrics {
    pub created: AtomicU64,
    pub pushes: AtomicU64,
    /// Pushes dropped because the session's queue was full (the client catches up later).
    pub pushes_dropped: AtomicU64,
    /// Sessions closed on request (ban, terminated authorization).
    pub closed_by_server: AtomicU64,
}

#[derive(Debug, Default)]
struct RpcTable {
    calls: BTreeMap<(String, String), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// Every metric of one server.
#[derive(Debug, Default)]
pub struct Metrics {
    gateways: Mutex<BTreeMap<String, Arc<GatewayMetrics>>>,
    rpc: Mutex<RpcTable>,
    sessions: SessionMetrics,
}

/// Keeps label values few: digits become `X` (FLOOD_WAIT_17 → FLOOD_WAIT_X) and long values are cut.
fn error_label(error: &str) -> String {
    let mut out = String::new();
    for c in error.chars().take(64) {
        if !c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('X') {
            out.push('X');
        }
    }
    out
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// The counters of the gateway called `name` (its listen address), created on first use.
    pub fn gateway(&self, name: &str) -> Arc<GatewayMetrics> {
        self.gateways
            .lock()
            .entry(name.to_string())
            .or_default()
            .clone()
    }

    pub fn sessions(&self) -> &SessionMetrics {
        &self.sessions
    }

    /// One finished API call: `error` is the rpc_error message, `None` on success.
    pub fn record_rpc(&self, method: &str, error: Option<&str>, seconds: f64) {
        let error = error.map(error_label).unwrap_or_else(|| "OK".to_string());
        let mut rpc = self.rpc.lock();
        let key = (method.to_string(), error);
        if rpc.calls.len() >= MAX_RPC_SERIES && !rpc.calls.contains_key(&key) {
            *rpc.calls
                .entry((method.to_string(), "OTHER".to_string()))
                .or_default() += 1;
        } else {
            *rpc.calls.entry(key).or_default() += 1;
        }
        if rpc.latency.len() < MAX_RPC_SERIES || rpc.latency.contains_key(method) {
            rpc.latency
                .entry(method.to_string())
                .or_default()
                .observe(seconds);
        }
    }

    /// Calls counted so far whose method satisfies `select` (any result).
    pub fn rpc_calls_where(&self, select: impl Fn(&str) -> bool) -> u64 {
        self.rpc
            .lock()
            .calls
            .iter()
            .filter(|((method, _), _)| select(method))
            .map(|(_, n)| *n)
            .sum()
    }

    /// Open connections per gateway name.
    pub fn connections_per_gateway(&self) -> BTreeMap<String, i64> {
        self.gateways
            .lock()
            .iter()
            .map(|(name, g)| (name.clone(), g.connections_open()))
            .collect()
    }

    /// The Prometheus text exposition of every metric plus `extra` gauges.
    pub fn render(&self, extra: &[Sample]) -> String {
        let mut out = text::Writer::default();
        let gateways: Vec<(String, Arc<GatewayMetrics>)> = self
            .gateways
            .lock()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.family(
            "echo_connections_open",
            "gauge",
            "Open MTProto connections.",
        );
        for (name, g) in &gateways {
            out.sample(
                "echo_connections_open",
                &[("gateway", name)],
                g.connections_open() as f64,
            );
        }
        out.family(
            "echo_connections_total",
            "counter",
            "MTProto connections accepted.",
        );
        for (name, g) in &gateways {
            out.sample(
                "echo_connections_total",
                &[("gateway", name)],
                g.connections_total() as f64,
            );
        }
        out.family(
            "echo_handshakes_total",
            "counter",
            "Auth key handshakes by result (perm, temp, failed).",
        );
        for (name, g) in &gateways {
            let (perm, temp, failed) = g.handshakes();
            for (result, n) in [("perm", perm), ("temp", temp), ("failed", failed)] {
                out.sample(
                    "echo_handshakes_total",
                    &[("gateway", name), ("result", result)],
                    n as f64,
                );
            }
        }
        out.family(
            "echo_messages_in_total",
            "counter",
            "Decrypted client messages handed to sessions.",
        );
        for (name, g) in &gateways {
            out.sample(
                "echo_messages_in_total",
                &[("gateway", name)],
                g.messages_in.load(Ordering::Relaxed) as f64,
            );
        }
        self.render_rpc(&mut out);
        self.render_sessions(&mut out);
        for sample in extra {
            out.family(&sample.name, "gauge", &sample.help);
            let labels: Vec<(&str, &str)> = sample
                .labels
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            out.sample(&sample.name, &labels, sample.value);
        }
        out.finish()
    }

    fn render_rpc(&self, out: &mut text::Writer) {
        let rpc = self.rpc.lock();
        out.family(
            "echo_rpc_calls_total",
            "counter",
            "API calls by method and error (OK for success).",
        );
        for ((method, error), n) in &rpc.calls {
            out.sample(
                "echo_rpc_calls_total",
                &[("method", method), ("error", error)],
                *n as f64,
            );
        }
        out.family(
            "echo_rpc_duration_seconds",
            "histogram",
            "API call latency by method.",
        );
        for (method, h) in &rpc.latency {
            h.render(out, "echo_rpc_duration_seconds", &[("method", method)]);
        }
    }

    fn render_sessions(&self, out: &mut text::Writer) {
        let s = &self.sessions;
        for (name, help, counter) in [
            (
                "echo_sessions_created_total",
                "MTProto sessions started.",
                &s.created,
            ),
            (
                "echo_pushes_total",
                "Updates pushed to sessions.",
                &s.pushes,
            ),
            (
                "echo_pushes_dropped_total",
                "Pushes dropped on a full session queue.",
                &s.pushes_dropped,
            ),
            (
                "echo_sessions_closed_by_server_total",
                "Sessions closed by the server (ban, terminated authorization).",
                &s.closed_by_server,
            ),
        ] {
            out.family(name, "counter", help);
            out.sample(name, &[], counter.load(Ordering::Relaxed) as f64);
        }
    }
}

#[cfg(test)]
mod tests;
