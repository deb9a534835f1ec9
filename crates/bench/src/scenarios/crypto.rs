//! The hardware limit for handshakes, measured on this CPU in the same run: RSA-2048 private
//! operations/s (`ServerRsaKey::decrypt_raw`, and the blinded variant the handshake uses) and
//! 2048-bit modular exponentiations/s (g^a mod p with the Telegram DH prime and a 2048-bit
//! exponent, as in core.telegram.org/mtproto/auth_key). The server pays one blinded RSA
//! operation and two modexps per handshake; a client on the same machine pays two more modexps.

use std::time::{Duration, Instant};

use echo_mtproto::handshake::TELEGRAM_DH_PRIME;
use echo_mtproto::rsa_key::ServerRsaKey;
use num_bigint::BigUint;
use rand::RngCore;
use serde_json::json;

use crate::stats::{ok_line, round};

/// Operations per second on all cores, per kind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CryptoLimit {
    pub cores: usize,
    pub rsa_private_per_s: f64,
    pub rsa_private_blinded_per_s: f64,
    pub modexp_2048_per_s: f64,
    /// The same on one thread while the other cores idle (SMT siblings make the per-core
    /// figure under full load lower than this).
    pub single_thread_rsa_blinded_per_s: f64,
    pub single_thread_modexp_per_s: f64,
}

impl CryptoLimit {
    /// Handshakes/s if the server's crypto were the only work on every core.
    pub fn server_handshakes_per_s(&self) -> f64 {
        // Rates are totals over all cores, so the per-handshake cost in "machine seconds" is
        // the sum of the inverses.
        1.0 / (1.0 / self.rsa_private_blinded_per_s + 2.0 / self.modexp_2048_per_s)
    }

    /// [`Self::server_handshakes_per_s`] from the single-thread rates times the core count:
    /// the limit on an otherwise idle machine (the all-core figures drop when other processes
    /// compete for the cores).
    pub fn ideal_server_handshakes_per_s(&self) -> f64 {
        self.cores as f64
            / (1.0 / self.single_thread_rsa_blinded_per_s + 2.0 / self.single_thread_modexp_per_s)
    }

    /// [`Self::shared_handshakes_per_s`] on an otherwise idle machine.
    pub fn ideal_shared_handshakes_per_s(&self) -> f64 {
        self.cores as f64
            / (1.0 / self.single_thread_rsa_blinded_per_s + 4.0 / self.single_thread_modexp_per_s)
    }

    /// Handshakes/s when the clients' two modexps share the same cores (a loopback run).
    pub fn shared_handshakes_per_s(&self) -> f64 {
        1.0 / (1.0 / self.rsa_private_blinded_per_s + 4.0 / self.modexp_2048_per_s)
    }
}

/// Runs `op` on every core for `per_kind`; operations per second in total.
fn on_all_cores(cores: usize, per_kind: Duration, op: impl Fn() + Sync) -> f64 {
    let counts: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..cores)
            .map(|_| {
                s.spawn(|| {
                    let start = Instant::now();
                    let mut n = 0u64;
                    while start.elapsed() < per_kind {
                        op();
                        n += 1;
                    }
                    (n, start.elapsed())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map(|(n, took)| (n as f64 / took.as_secs_f64()) as u64)
                    .unwrap_or(0)
            })
            .collect()
    });
    counts.iter().sum::<u64>() as f64
}

pub fn measure(per_kind: Duration) -> anyhow::Result<CryptoLimit> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let key = ServerRsaKey::insecure_from_seed(7).map_err(|e| anyhow::anyhow!("rsa key: {e}"))?;
    let mut block = [0u8; 256];
    rand::thread_rng().fill_bytes(&mut block);
    // Below the modulus (whose top byte is non-zero).
    block[0] = 0;
    let rsa = on_all_cores(cores, per_kind, || {
        let _ = key.decrypt_raw(&block);
    });
    let blinded = || {
        let _ = key.decrypt_raw_blinded(&block, &mut rand::thread_rng());
    };
    let prime = BigUint::from_bytes_be(&TELEGRAM_DH_PRIME);
    let g = BigUint::from(3u32);
    // g^a and g_b^a cost the same: a 2048-bit exponent; the base size hardly matters.
    let modexp = || {
        let mut exp = [0u8; 256];
        rand::thread_rng().fill_bytes(&mut exp);
        let _ = g.modpow(&BigUint::from_bytes_be(&exp), &prime);
    };
    Ok(CryptoLimit {
        cores,
        rsa_private_per_s: rsa,
        rsa_private_blinded_per_s: on_all_cores(cores, per_kind, blinded),
        modexp_2048_per_s: on_all_cores(cores, per_kind, modexp),
        single_thread_rsa_blinded_per_s: on_all_cores(1, per_kind, blinded),
        single_thread_modexp_per_s: on_all_cores(1, per_kind, modexp),
    })
}

pub fn run(per_kind: Duration) -> anyhow::Result<serde_json::Value> {
    let limit = measure(per_kind)?;
    Ok(ok_line("crypto", to_json(&limit)))
}

pub fn to_json(limit: &CryptoLimit) -> serde_json::Value {
    json!({
        "cores": limit.cores,
        "rsa2048_private_per_s": round(limit.rsa_private_per_s, 1),
        "rsa2048_private_blinded_per_s": round(limit.rsa_private_blinded_per_s, 1),
        "modexp2048_per_s": round(limit.modexp_2048_per_s, 1),
        "single_thread_rsa2048_private_blinded_per_s": round(limit.single_thread_rsa_blinded_per_s, 1),
        "single_thread_modexp2048_per_s": round(limit.single_thread_modexp_per_s, 1),
        "limit_server_only_handshakes_per_s": round(limit.server_handshakes_per_s(), 1),
        "limit_shared_with_clients_handshakes_per_s": round(limit.shared_handshakes_per_s(), 1),
        "ideal_limit_server_only_handshakes_per_s": round(limit.ideal_server_handshakes_per_s(), 1),
        "ideal_limit_shared_handshakes_per_s": round(limit.ideal_shared_handshakes_per_s(), 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_the_cost_model() {
        let l = CryptoLimit {
            cores: 2,
            rsa_private_per_s: 1000.0,
            rsa_private_blinded_per_s: 1000.0,
            modexp_2048_per_s: 1000.0,
            single_thread_rsa_blinded_per_s: 500.0,
            single_thread_modexp_per_s: 500.0,
        };
        // 1 ms + 2 ms per handshake on 2000 ops/s in total: 1000/3.
        assert!((l.server_handshakes_per_s() - 1000.0 / 3.0).abs() < 1e-6);
        assert!((l.shared_handshakes_per_s() - 1000.0 / 5.0).abs() < 1e-6);
        // 2 ms + 4 ms per handshake on one core, two cores.
        assert!((l.ideal_server_handshakes_per_s() - 2000.0 / 6.0).abs() < 1e-6);
    }
}
