//! In-process integration tests of the whole MTProto stack (core.telegram.org/mtproto): a real
//! gateway, sessions, BFF and SQLite storage on 127.0.0.1, driven over TCP by a small test client
//! built on echo-mtproto's client side. Every test starts its own stack and bounds every wait.

mod cases;
mod support;
