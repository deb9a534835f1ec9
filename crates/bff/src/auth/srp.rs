//! The SRP-6a arithmetic of Telegram's cloud password (core.telegram.org/api/srp,
//! `passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow`).
//!
//! The server side needs only the verifier `v = g^x mod p` the client sent when it set the
//! password: [`server_public`] makes `g_b = (k*v + g^b) mod p` for account.getPassword and
//! [`check_proof`] recomputes `M1` from the client's `g_a` for auth.checkPassword. The client
//! side ([`password_hash`], [`verifier_for`], [`client_proof`]) exists for tests and tools;
//! real clients compute it themselves, which is what makes them an independent check.
//!
//! Notation as on the spec page: `H = sha256`, `SH(data, salt) = H(salt | data | salt)`,
//! `PH2 = SH(pbkdf2(sha512, SH(SH(password, salt1), salt2), salt1, 100000), salt2)`, every
//! number hashed big-endian and padded to 256 bytes, all arithmetic mod p.

use echo_mtproto::crypto::sha256;
use echo_mtproto::handshake::{TELEGRAM_DH_G, TELEGRAM_DH_PRIME};
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use num_traits::{One, Zero};
use sha2::Sha512;

/// Numbers are hashed and sent as 2048-bit big-endian strings.
pub const SRP_LEN: usize = 256;
/// PBKDF2 rounds of the KDF's name.
pub const PBKDF2_ITERATIONS: u32 = 100_000;

/// Why a client's SRP values cannot be used (answered as PASSWORD_HASH_INVALID or
/// SRP_A_INVALID by the caller).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SrpError {
    #[error("g_a is out of range")]
    BadA,
    #[error("stored verifier or secret is malformed")]
    BadState,
}

/// The modulus p (Telegram's 2048-bit safe prime, as in the DH handshake).
pub fn prime_bytes() -> &'static [u8; SRP_LEN] {
    &TELEGRAM_DH_PRIME
}

/// The generator g (3).
pub fn generator() -> i32 {
    TELEGRAM_DH_G
}

fn prime() -> BigUint {
    BigUint::from_bytes_be(&TELEGRAM_DH_PRIME)
}

fn g() -> BigUint {
    BigUint::from(TELEGRAM_DH_G.unsigned_abs())
}

/// `n` big-endian, left-padded to 256 bytes; `None` if it does not fit.
pub fn pad(n: &BigUint) -> Option<[u8; SRP_LEN]> {
    let bytes = n.to_bytes_be();
    let start = SRP_LEN.checked_sub(bytes.len())?;
    let mut out = [0u8; SRP_LEN];
    out[start..].copy_from_slice(&bytes);
    Some(out)
}

fn pad_mod_p(n: &BigUint) -> [u8; SRP_LEN] {
    // Values reduced mod p always fit in 256 bytes.
    pad(&(n % prime())).unwrap_or([0u8; SRP_LEN])
}

/// `k = H(p | g)`.
fn multiplier() -> BigUint {
    let g_padded = pad_mod_p(&g());
    BigUint::from_bytes_be(&sha256(&[&TELEGRAM_DH_PRIME, &g_padded]))
}

/// Whether `value` (big-endian) is a usable group element: 1 < value < p - 1.
fn in_group(value: &BigUint) -> bool {
    let p = prime();
    value > &BigUint::one() && value < &(p - 1u32)
}

/// Whether a verifier sent by account.updatePasswordSettings can be one: at most 256 bytes,
/// 1 < v < p - 1.
pub fn verifier_valid(verifier: &[u8]) -> bool {
    verifier.len() <= SRP_LEN && in_group(&BigUint::from_bytes_be(verifier))
}

/// `g_b = (k*v + g^b) mod p`: the `srp_B` of account.getPassword for secret `b`.
pub fn server_public(verifier: &[u8], secret_b: &[u8]) -> Result<[u8; SRP_LEN], SrpError> {
    let p = prime();
    let v = BigUint::from_bytes_be(verifier);
    let b = BigUint::from_bytes_be(secret_b);
    if !in_group(&v) || b.is_zero() {
        return Err(SrpError::BadState);
    }
    let g_b = (multiplier() * v + g().modpow(&b, &p)) % &p;
    Ok(pad_mod_p(&g_b))
}

/// `M = H(H(p) xor H(g) | H(salt1) | H(salt2) | g_a | g_b | k)`.
fn proof(salt1: &[u8], salt2: &[u8], g_a: &[u8], g_b: &[u8], key: &[u8]) -> [u8; 32] {
    let h_p = sha256(&[&TELEGRAM_DH_PRIME]);
    let h_g = sha256(&[&pad_mod_p(&g())]);
    let mut mixed = [0u8; 32];
    for (out, (a, b)) in mixed.iter_mut().zip(h_p.iter().zip(h_g.iter())) {
        *out = a ^ b;
    }
    sha256(&[&mixed, &sha256(&[salt1]), &sha256(&[salt2]), g_a, g_b, key])
}

/// `u = H(g_a | g_b)`.
fn scrambler(g_a: &[u8; SRP_LEN], g_b: &[u8; SRP_LEN]) -> BigUint {
    BigUint::from_bytes_be(&sha256(&[g_a, g_b]))
}

/// What the server knows when a client answers one challenge.
#[derive(Debug, Clone, Copy)]
pub struct ServerState<'a> {
    pub verifier: &'a [u8],
    pub salt1: &'a [u8],
    pub salt2: &'a [u8],
    pub secret_b: &'a [u8],
}

/// auth.checkPassword's test: `M1` equals `H(... | H(s_b))` with
/// `s_b = (g_a * v^u)^b mod p`. `Err(BadA)` when `g_a` is not a group element.
pub fn check_proof(state: ServerState<'_>, g_a: &[u8], m1: &[u8]) -> Result<bool, SrpError> {
    let p = prime();
    if g_a.len() > SRP_LEN {
        return Err(SrpError::BadA);
    }
    let a_num = BigUint::from_bytes_be(g_a);
    if !in_group(&a_num) {
        return Err(SrpError::BadA);
    }
    let g_a_padded = pad_mod_p(&a_num);
    let g_b_padded = server_public(state.verifier, state.secret_b)?;
    let u = scrambler(&g_a_padded, &g_b_padded);
    if u.is_zero() {
        return Err(SrpError::BadA);
    }
    let v = BigUint::from_bytes_be(state.verifier);
    let b = BigUint::from_bytes_be(state.secret_b);
    let s_b = (a_num * v.modpow(&u, &p) % &p).modpow(&b, &p);
    let key = sha256(&[&pad_mod_p(&s_b)]);
    let expected = proof(state.salt1, state.salt2, &g_a_padded, &g_b_padded, &key);
    Ok(constant_time_eq(&expected, m1))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `SH(data, salt) = H(salt | data | salt)`.
fn salted(data: &[u8], salt: &[u8]) -> [u8; 32] {
    sha256(&[salt, data, salt])
}

/// PBKDF2-HMAC-SHA512 with one 64-byte output block (RFC 8018 §5.2).
fn pbkdf2_sha512(password: &[u8], salt: &[u8], rounds: u32) -> [u8; 64] {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(keyed) = Hmac::<Sha512>::new_from_slice(password) else {
        return [0u8; 64];
    };
    let mut mac = keyed.clone();
    mac.update(salt);
    mac.update(&1u32.to_be_bytes());
    let mut block: [u8; 64] = mac.finalize().into_bytes().into();
    let mut out = block;
    for _ in 1..rounds {
        let mut mac = keyed.clone();
        mac.update(&block);
        block = mac.finalize().into_bytes().into();
        for (o, b) in out.iter_mut().zip(block.iter()) {
            *o ^= b;
        }
    }
    out
}

/// `x = PH2(password, salt1, salt2)` (client side).
pub fn password_hash(password: &[u8], salt1: &[u8], salt2: &[u8]) -> [u8; 32] {
    let ph1 = salted(&salted(password, salt1), salt2);
    salted(&pbkdf2_sha512(&ph1, salt1, PBKDF2_ITERATIONS), salt2)
}

/// `v = g^x mod p`, what a client sends as `new_password_hash`.
pub fn verifier_for(password: &[u8], salt1: &[u8], salt2: &[u8]) -> [u8; SRP_LEN] {
    let x = BigUint::from_bytes_be(&password_hash(password, salt1, salt2));
    pad_mod_p(&g().modpow(&x, &prime()))
}

/// The client's `(A, M1)` for `srp_B` with secret exponent `a` (client side).
pub fn client_proof(
    password: &[u8],
    salt1: &[u8],
    salt2: &[u8],
    srp_b: &[u8],
    a: &[u8],
) -> ([u8; SRP_LEN], [u8; 32]) {
    let p = prime();
    let x = BigUint::from_bytes_be(&password_hash(password, salt1, salt2));
    let a = BigUint::from_bytes_be(a);
    let g_a = pad_mod_p(&g().modpow(&a, &p));
    let g_b_num = BigUint::from_bytes_be(srp_b) % &p;
    let g_b = pad_mod_p(&g_b_num);
    let u = scrambler(&g_a, &g_b);
    let k_v = multiplier() * g().modpow(&x, &p) % &p;
    let t = (g_b_num + &p - k_v) % &p;
    let s_a = t.modpow(&(a + u * x), &p);
    let key = sha256(&[&pad_mod_p(&s_a)]);
    (g_a, proof(salt1, salt2, &g_a, &g_b, &key))
}

#[cfg(test)]
#[path = "srp_tests.rs"]
mod tests;
