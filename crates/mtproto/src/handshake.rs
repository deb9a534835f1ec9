//! The MTProto auth-key handshake (core.telegram.org/mtproto/auth_key, checked against
//! /mtproto/samples-auth_key and /mtproto/security_guidelines), sans-IO: callers feed in the TL
//! bodies of unencrypted messages and get back the bodies to send; randomness and the current
//! time are passed in so a run is reproducible.
//!
//! - [`ServerHandshake`]: answers req_pq / req_pq_multi, req_DH_params (both RSA schemes,
//!   permanent and temporary keys, core.telegram.org/api/pfs) and set_client_DH_params.
//! - [`ClientHandshake`]: the other side, verifying everything a real client checks; used by
//!   tests and the load tool.
//! - [`bind`]: the auth.bindTempAuthKey binding message (core.telegram.org/method/auth.bindTempAuthKey).

pub mod bind;
mod client;
mod dh;
#[cfg(test)]
mod hostile_tests;
mod pq;
mod rsa_schemes;
mod server;
#[cfg(test)]
mod tests;

pub use client::{ClientAuthKey, ClientHandshake, ClientOptions, ClientStep};
pub use dh::{DhConfig, TELEGRAM_DH_G, TELEGRAM_DH_PRIME};
pub use rsa_schemes::RsaScheme;
pub use server::{HandshakeOutput, NewAuthKey, ServerHandshake};

use crate::crypto::CryptoError;
use crate::rsa_key::RsaKeyError;

/// Whether the new key is permanent or temporary (PFS, core.telegram.org/api/pfs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthKeyKind {
    /// From p_q_inner_data or p_q_inner_data_dc.
    Perm,
    /// From p_q_inner_data_temp(_dc): the key expires `expires_in` seconds after creation.
    Temp { expires_in: i32 },
}

/// Why a handshake step was refused. Every variant means "close the connection" (the
/// transport answers with a -404-style error); none is recoverable within the handshake.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    #[error("malformed TL: {0}")]
    Tl(#[from] echo_tl::deserialize::Error),
    #[error("constructor {0:#010x} is not a handshake message")]
    UnexpectedConstructor(u32),
    #[error("{0} is not expected in the current handshake state")]
    UnexpectedStep(&'static str),
    #[error("the handshake already failed")]
    Aborted,
    #[error("nonce does not match")]
    NonceMismatch,
    #[error("server_nonce does not match")]
    ServerNonceMismatch,
    #[error("pq, p or q do not match the challenge")]
    PqMismatch,
    #[error("pq cannot be factorized into two primes")]
    PqNotFactorizable,
    #[error("unknown RSA key fingerprint {0:#018x}")]
    UnknownFingerprint(i64),
    #[error("none of the server's RSA key fingerprints is known")]
    NoKnownServerKey,
    #[error("encrypted_data verifies under neither the legacy nor the RSA_PAD scheme")]
    EncryptedDataInvalid,
    #[error("payload too large for RSA encryption")]
    PayloadTooLarge,
    #[error("SHA1 of the encrypted inner data does not match")]
    InnerHashMismatch,
    #[error("temporary key expires_in must be positive, got {0}")]
    InvalidExpiresIn(i32),
    #[error("retry_id {got} does not match the expected {expected}")]
    RetryIdMismatch { got: i64, expected: i64 },
    #[error("g_a/g_b is outside the safe range")]
    DhValueOutOfRange,
    #[error("the server's DH prime or generator is not trusted")]
    UntrustedDhGroup,
    #[error("new_nonce_hash does not match")]
    NewNonceHashMismatch,
    #[error("the server answered server_DH_params_fail")]
    ServerDhParamsFail,
    #[error("the server answered dh_gen_fail")]
    DhGenFail,
    #[error("the server asked for too many DH retries")]
    TooManyRetries,
    #[error(transparent)]
    Rsa(#[from] RsaKeyError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}
