//! Shared fixtures of the fuzz targets: the fixed keys, seeds and clock every target uses, so
//! the seed corpora (written by `echo-bench fuzz-seeds`, which uses the same values) replay
//! deep into each state machine. Harnesses for core.telegram.org/mtproto/mtproto-transports,
//! /mtproto/description (encrypted messages), /mtproto/auth_key and the TL layers.

use std::sync::{Arc, OnceLock};

use echo_mtproto::crypto::AuthKey;
use echo_mtproto::rsa_key::ServerRsaKey;

/// MTProxy secret the transport target's server accepts (besides none).
pub const PROXY_SECRET: [u8; 16] = [0x11; 16];
/// Seed of the server RSA key of the handshake target.
pub const RSA_KEY_SEED: u64 = 1;
/// Seed of the server's randomness in the handshake target.
pub const SERVER_RNG_SEED: u64 = 0;
/// The handshake target's clock.
pub const NOW: i64 = 1_700_000_000;
/// Layers a client may speak.
pub const LAYERS: [i32; 3] = [220, 229, 230];

/// The auth key of the decryption target: bytes i*7+3.
pub fn fixed_auth_key() -> AuthKey {
    let mut data = [0u8; 256];
    for (i, b) in data.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(7).wrapping_add(3);
    }
    AuthKey::from_bytes(data)
}

/// The handshake target's RSA key, generated once per process (keygen is slow).
pub fn server_rsa_key() -> Arc<ServerRsaKey> {
    static KEY: OnceLock<Arc<ServerRsaKey>> = OnceLock::new();
    KEY.get_or_init(|| {
        Arc::new(
            ServerRsaKey::insecure_from_seed(RSA_KEY_SEED).unwrap_or_else(|e| {
                panic!("fixture key: {e}");
            }),
        )
    })
    .clone()
}

/// Splits `[u16 LE length][body]...` records; a short tail is the last body.
pub fn records(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while data.len() >= 2 {
        let len = usize::from(u16::from_le_bytes([data[0], data[1]]));
        let rest = &data[2..];
        let take = len.min(rest.len());
        out.push(&rest[..take]);
        data = &rest[take..];
    }
    out
}

/// Every schema layer the server knows, loaded once per process.
pub fn layer_set() -> &'static echo_tl::layers::LayerSet {
    static LAYERS_SET: OnceLock<echo_tl::layers::LayerSet> = OnceLock::new();
    LAYERS_SET.get_or_init(|| {
        echo_tl::layers::LayerSet::embedded().unwrap_or_else(|e| panic!("embedded layers: {e}"))
    })
}
