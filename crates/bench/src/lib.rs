//! Echo's load tool: many real MTProto clients (echo-mtproto's client side over tokio) against
//! a running echod over loopback, measuring handshakes, sign-ups, idle connections, message
//! throughput, catch-up and cold start (one JSON line per scenario), a database generator, and
//! the crash-safety check (SIGKILL mid-stream, restart, verify). Implements the client half of
//! core.telegram.org/mtproto (auth_key, description, mtproto-transports) and the calls of
//! core.telegram.org/api/auth and /api/updates it needs.

pub mod auth;
pub mod client;
pub mod crash;
pub mod envelope;
pub mod fuzz_seeds;
pub mod generate;
pub mod machine;
pub mod scenarios;
pub mod server;
pub mod stats;
pub mod suite;
pub mod tl_util;
pub mod wire;
