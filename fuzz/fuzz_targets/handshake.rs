//! The server handshake state machine (core.telegram.org/mtproto/auth_key) fed arbitrary
//! request bodies: the input is `[u16 LE length][body]` records handed to
//! `ServerHandshake::handle` in turn, with a fixed RSA key, seeded randomness and a fixed clock,
//! so a recorded real handshake (the seed corpus) replays exactly and mutations reach every
//! step. Any error ends the run; a panic or huge allocation is a bug.
#![no_main]

use echo_fuzz::{records, server_rsa_key, NOW, SERVER_RNG_SEED};
use echo_mtproto::handshake::{DhConfig, ServerHandshake};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;

fuzz_target!(|data: &[u8]| {
    let mut server = ServerHandshake::new(server_rsa_key(), DhConfig::telegram());
    let mut rng = rand::rngs::StdRng::seed_from_u64(SERVER_RNG_SEED);
    for body in records(data).into_iter().take(8) {
        if server.handle(body, &mut rng, NOW).is_err() {
            return;
        }
    }
});
