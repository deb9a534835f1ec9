//! The server's RSA-2048 key used in the auth-key handshake (core.telegram.org/mtproto/auth_key,
//! steps 2 and 4): generation, PEM load/save for the data directory, the public key in the
//! PKCS#1 form clients embed, Telegram's key fingerprint, and the raw ("textbook", unpadded)
//! RSA operations MTProto uses. MTProto does its own padding (see `handshake::rsa_pad`), so
//! only raw modular exponentiation is exposed here. The private operation uses the CRT.

use num_bigint::BigUint;
use rand::{CryptoRng, RngCore};
use rsa::pkcs1::{
    DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPrivateKey, EncodeRsaPublicKey,
};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};

use crate::crypto::sha1;

/// Modulus size MTProto clients expect; RSA blocks are exactly this many bytes.
pub const RSA_KEY_BITS: usize = 2048;
/// Size in bytes of one RSA block (`encrypted_data` of `req_DH_params`).
pub const RSA_BLOCK_LEN: usize = RSA_KEY_BITS / 8;

#[derive(Debug, thiserror::Error)]
pub enum RsaKeyError {
    #[error("RSA key generation failed: {0}")]
    Generate(String),
    #[error("cannot parse RSA key PEM: {0}")]
    Pem(String),
    #[error("cannot encode RSA key as PEM: {0}")]
    Encode(String),
    #[error("unsupported RSA key: MTProto needs a two-prime {RSA_KEY_BITS}-bit key ({0})")]
    Unsupported(&'static str),
    #[error("RSA input is not smaller than the modulus")]
    InputOutOfRange,
    #[error("RSA private operation failed its self-check")]
    FaultDetected,
}

/// Big-endian, left zero-padded to exactly 256 bytes; `None` if the value does not fit.
pub(crate) fn to_block(value: &BigUint) -> Option<[u8; RSA_BLOCK_LEN]> {
    let bytes = value.to_bytes_be();
    let start = RSA_BLOCK_LEN.checked_sub(bytes.len())?;
    let mut block = [0u8; RSA_BLOCK_LEN];
    block[start..].copy_from_slice(&bytes);
    Some(block)
}

fn to_num(value: &rsa::BigUint) -> BigUint {
    BigUint::from_bytes_be(&value.to_bytes_be())
}

/// Telegram's key fingerprint: the low 64 bits of SHA1 over the TL serialization of
/// `bytes n` and `bytes e` (big-endian magnitudes), i.e. SHA1 bytes 12..20 read little-endian.
pub fn fingerprint_of(n: &BigUint, e: &BigUint) -> i64 {
    let mut tl = Vec::with_capacity(RSA_BLOCK_LEN + 16);
    echo_tl::serialize::write_bytes(&n.to_bytes_be(), &mut tl);
    echo_tl::serialize::write_bytes(&e.to_bytes_be(), &mut tl);
    let hash = sha1(&[&tl]);
    let mut low = [0u8; 8];
    low.copy_from_slice(&hash[12..20]);
    i64::from_le_bytes(low)
}

/// A server's public key as a client knows it (for the client handshake and for tests).
#[derive(Clone, PartialEq, Eq)]
pub struct ServerPublicKey {
    n: BigUint,
    e: BigUint,
    fingerprint: i64,
}

impl ServerPublicKey {
    /// Parses a `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1) PEM, as Telegram clients embed it.
    pub fn from_pkcs1_pem(pem: &str) -> Result<Self, RsaKeyError> {
        let key = rsa::RsaPublicKey::from_pkcs1_pem(pem.trim())
            .map_err(|e| RsaKeyError::Pem(e.to_string()))?;
        Self::from_components(to_num(key.n()), to_num(key.e()))
    }

    /// Builds a key from its modulus and public exponent.
    pub fn from_components(n: BigUint, e: BigUint) -> Result<Self, RsaKeyError> {
        if n.bits() != RSA_KEY_BITS as u64 {
            return Err(RsaKeyError::Unsupported("modulus is not 2048 bits"));
        }
        if e < BigUint::from(3u32) || !e.bit(0) {
            return Err(RsaKeyError::Unsupported("bad public exponent"));
        }
        let fingerprint = fingerprint_of(&n, &e);
        Ok(Self { n, e, fingerprint })
    }

    pub fn fingerprint(&self) -> i64 {
        self.fingerprint
    }

    pub fn modulus(&self) -> &BigUint {
        &self.n
    }

    pub fn exponent(&self) -> &BigUint {
        &self.e
    }

    /// Raw RSA: `block^e mod n`. The block, read big-endian, must be below the modulus.
    pub fn encrypt_raw(
        &self,
        block: &[u8; RSA_BLOCK_LEN],
    ) -> Result<[u8; RSA_BLOCK_LEN], RsaKeyError> {
        let m = BigUint::from_bytes_be(block);
        if m >= self.n {
            return Err(RsaKeyError::InputOutOfRange);
        }
        to_block(&m.modpow(&self.e, &self.n)).ok_or(RsaKeyError::InputOutOfRange)
    }

    /// The key as a PKCS#1 `RSA PUBLIC KEY` PEM.
    pub fn to_pkcs1_pem(&self) -> Result<String, RsaKeyError> {
        let n = rsa::BigUint::from_bytes_be(&self.n.to_bytes_be());
        let e = rsa::BigUint::from_bytes_be(&self.e.to_bytes_be());
        let key = rsa::RsaPublicKey::new(n, e).map_err(|e| RsaKeyError::Encode(e.to_string()))?;
        key.to_pkcs1_pem(LineEnding::LF)
            .map_err(|e| RsaKeyError::Encode(e.to_string()))
    }
}

impl std::fmt::Debug for ServerPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServerPublicKey({:016x})", self.fingerprint as u64)
    }
}

/// The CRT form of the private exponent: two 1024-bit exponentiations instead of one 2048-bit.
#[derive(Clone)]
struct CrtKey {
    p: BigUint,
    q: BigUint,
    d_p: BigUint,
    d_q: BigUint,
    /// q^-1 mod p.
    q_inv: BigUint,
}

/// The server's RSA-2048 private key.
#[derive(Clone)]
pub struct ServerRsaKey {
    private: rsa::RsaPrivateKey,
    public: ServerPublicKey,
    public_pem: String,
    crt: CrtKey,
}

impl ServerRsaKey {
    /// Generates a fresh 2048-bit key with e = 65537 (slow: seconds in debug builds).
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Result<Self, RsaKeyError> {
        let key = rsa::RsaPrivateKey::new(rng, RSA_KEY_BITS)
            .map_err(|e| RsaKeyError::Generate(e.to_string()))?;
        Self::from_private(key)
    }

    /// A key derived deterministically from `seed`: for tests, transcripts and load tools
    /// ONLY (anyone can derive it). Lets tests share a fixed key without committing one.
    pub fn insecure_from_seed(seed: u64) -> Result<Self, RsaKeyError> {
        use rand::SeedableRng;
        Self::generate(&mut rand::rngs::StdRng::seed_from_u64(seed))
    }

    /// The process-wide test key (seed 1), generated once: RSA keygen is slow in debug builds.
    #[cfg(test)]
    pub(crate) fn test_key() -> &'static ServerRsaKey {
        static KEY: std::sync::OnceLock<ServerRsaKey> = std::sync::OnceLock::new();
        KEY.get_or_init(|| ServerRsaKey::insecure_from_seed(1).expect("test key"))
    }

    /// Loads a private key PEM: PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, RsaKeyError> {
        let pem = pem.trim();
        let key = if pem.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
            rsa::RsaPrivateKey::from_pkcs1_pem(pem).map_err(|e| RsaKeyError::Pem(e.to_string()))?
        } else {
            rsa::RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| RsaKeyError::Pem(e.to_string()))?
        };
        Self::from_private(key)
    }

    fn from_private(key: rsa::RsaPrivateKey) -> Result<Self, RsaKeyError> {
        key.validate()
            .map_err(|_| RsaKeyError::Unsupported("key does not validate"))?;
        let [p, q] = key.primes() else {
            return Err(RsaKeyError::Unsupported(
                "multi-prime keys are not supported",
            ));
        };
        let (p, q) = (to_num(p), to_num(q));
        let d = to_num(key.d());
        let one = BigUint::from(1u32);
        let q_inv = q
            .modinv(&p)
            .ok_or(RsaKeyError::Unsupported("primes are not coprime"))?;
        let crt = CrtKey {
            d_p: &d % (&p - &one),
            d_q: &d % (&q - &one),
            q_inv,
            p,
            q,
        };
        let public = ServerPublicKey::from_components(to_num(key.n()), to_num(key.e()))?;
        let public_pem = public.to_pkcs1_pem()?;
        Ok(Self {
            private: key,
            public,
            public_pem,
            crt,
        })
    }

    /// The private key as PKCS#1 PEM, for storing in the data directory.
    pub fn to_pkcs1_pem(&self) -> Result<String, RsaKeyError> {
        Ok(self
            .private
            .to_pkcs1_pem(LineEnding::LF)
            .map_err(|e| RsaKeyError::Encode(e.to_string()))?
            .to_string())
    }

    /// The private key as PKCS#8 PEM.
    pub fn to_pkcs8_pem(&self) -> Result<String, RsaKeyError> {
        Ok(self
            .private
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| RsaKeyError::Encode(e.to_string()))?
            .to_string())
    }

    /// The public key as `-----BEGIN RSA PUBLIC KEY-----` PEM, the form clients are built with.
    pub fn public_pem_pkcs1(&self) -> String {
        self.public_pem.clone()
    }

    pub fn public_key(&self) -> &ServerPublicKey {
        &self.public
    }

    pub fn fingerprint(&self) -> i64 {
        self.public.fingerprint
    }

    /// Raw RSA private operation `block^d mod n` via the CRT. The result is checked by
    /// re-encrypting it (cheap with e = 65537), so a computation fault can never leak a
    /// factor of n.
    pub fn decrypt_raw(
        &self,
        block: &[u8; RSA_BLOCK_LEN],
    ) -> Result<[u8; RSA_BLOCK_LEN], RsaKeyError> {
        let c = self.ciphertext(block)?;
        let m = self.crt_power(&c);
        self.checked_block(&m, &c)
    }

    /// [`Self::decrypt_raw`] with RSA blinding: the CRT runs on c * r^e for a random r, so its
    /// timing (big-integer arithmetic is not constant-time) says nothing about the attacker's
    /// chosen ciphertext. Costs one small exponentiation and one modular inverse extra; this
    /// is what the handshake uses.
    pub fn decrypt_raw_blinded<R: RngCore + CryptoRng>(
        &self,
        block: &[u8; RSA_BLOCK_LEN],
        rng: &mut R,
    ) -> Result<[u8; RSA_BLOCK_LEN], RsaKeyError> {
        let c = self.ciphertext(block)?;
        let n = &self.public.n;
        // A random r shares a factor with n with negligible probability; retry if it does.
        for _ in 0..8 {
            let mut bytes = [0u8; RSA_BLOCK_LEN];
            rng.fill_bytes(&mut bytes);
            let r = BigUint::from_bytes_be(&bytes) % n;
            let Some(r_inv) = r.modinv(n) else {
                continue;
            };
            let blinded = (&c * r.modpow(&self.public.e, n)) % n;
            let m = (self.crt_power(&blinded) * r_inv) % n;
            return self.checked_block(&m, &c);
        }
        Err(RsaKeyError::FaultDetected)
    }

    fn ciphertext(&self, block: &[u8; RSA_BLOCK_LEN]) -> Result<BigUint, RsaKeyError> {
        let c = BigUint::from_bytes_be(block);
        if c >= self.public.n {
            return Err(RsaKeyError::InputOutOfRange);
        }
        Ok(c)
    }

    /// c^d mod n by the CRT: m_p = c^d_p mod p, m_q = c^d_q mod q, recombined with q^-1 mod p.
    fn crt_power(&self, c: &BigUint) -> BigUint {
        let CrtKey {
            p,
            q,
            d_p,
            d_q,
            q_inv,
        } = &self.crt;
        let m_p = (c % p).modpow(d_p, p);
        let m_q = (c % q).modpow(d_q, q);
        // h = q_inv * (m_p - m_q) mod p, kept non-negative by adding p first.
        let diff = (&m_p + p - (&m_q % p)) % p;
        let h = (q_inv * diff) % p;
        m_q + h * q
    }

    /// Guards against computation faults: m^e must give back c.
    fn checked_block(&self, m: &BigUint, c: &BigUint) -> Result<[u8; RSA_BLOCK_LEN], RsaKeyError> {
        if m.modpow(&self.public.e, &self.public.n) != *c {
            return Err(RsaKeyError::FaultDetected);
        }
        to_block(m).ok_or(RsaKeyError::FaultDetected)
    }
}

impl std::fmt::Debug for ServerRsaKey {
    // Never print private key material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServerRsaKey({:016x})", self.public.fingerprint as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Telegram's production key (from Pyrogram's key table, listed there with fingerprint
    /// 0xc3b42b026ce86b21).
    const TELEGRAM_PUBLIC_KEY: &str = "-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAwVACPi9w23mF3tBkdZz+zwrzKOaaQdr01vAbU4E1pvkfj4sqDsm6
lyDONS789sVoD/xCS9Y0hkkC3gtL1tSfTlgCMOOul9lcixlEKzwKENj1Yz/s7daS
an9tqw3bfUV/nqgbhGX81v/+7RFAEd+RwFnK7a+XYl9sluzHRyVVaTTveB2GazTw
Efzk2DWgkBluml8OREmvfraX3bkHZJTKX4EQSjBbbdJ2ZXIsRrYOXfaA+xayEGB+
8hdlLmAjbCVfaigxX0CDqWeR1yFL9kwd9P0NsZRPsmoqVwMbMu7mStFai6aIhc3n
Slv8kg9qv1m6XHVQY3PnEw+QQtqSIXklHwIDAQAB
-----END RSA PUBLIC KEY-----";

    #[test]
    fn telegram_key_fingerprint_matches_published_value() {
        let key = ServerPublicKey::from_pkcs1_pem(TELEGRAM_PUBLIC_KEY).unwrap();
        assert_eq!(key.fingerprint() as u64, 0xc3b42b026ce86b21);
        // Re-encoding gives back the same PEM body.
        let pem = key.to_pkcs1_pem().unwrap();
        assert_eq!(pem.trim(), TELEGRAM_PUBLIC_KEY);
    }

    #[test]
    fn pkcs1_and_pkcs8_load_the_same_key() {
        let a = ServerRsaKey::test_key();
        let b = ServerRsaKey::from_pem(&a.to_pkcs8_pem().unwrap()).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert!(a
            .public_pem_pkcs1()
            .starts_with("-----BEGIN RSA PUBLIC KEY-----"));
        let from_public = ServerPublicKey::from_pkcs1_pem(&a.public_pem_pkcs1()).unwrap();
        assert_eq!(&from_public, a.public_key());
        // Saving and loading again round-trips in both formats.
        let again = ServerRsaKey::from_pem(&a.to_pkcs1_pem().unwrap()).unwrap();
        assert_eq!(again.fingerprint(), a.fingerprint());
        let again = ServerRsaKey::from_pem(&a.to_pkcs8_pem().unwrap()).unwrap();
        assert_eq!(again.fingerprint(), a.fingerprint());
        assert!(a
            .to_pkcs1_pem()
            .unwrap()
            .starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        assert!(!format!("{a:?}").contains("BEGIN"));
    }

    #[test]
    fn raw_decrypt_inverts_raw_encrypt() {
        let key = ServerRsaKey::test_key().clone();
        let mut block = [0u8; RSA_BLOCK_LEN];
        for (i, b) in block.iter_mut().enumerate().skip(1) {
            *b = (i * 7 + 3) as u8;
        }
        let encrypted = key.public_key().encrypt_raw(&block).unwrap();
        assert_ne!(encrypted, block);
        assert_eq!(key.decrypt_raw(&encrypted).unwrap(), block);
        // Small values (leading zero bytes) survive the fixed-width encoding.
        let mut small = [0u8; RSA_BLOCK_LEN];
        small[RSA_BLOCK_LEN - 1] = 2;
        let encrypted = key.public_key().encrypt_raw(&small).unwrap();
        assert_eq!(key.decrypt_raw(&encrypted).unwrap(), small);
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        assert_eq!(
            key.decrypt_raw_blinded(&encrypted, &mut rng).unwrap(),
            small
        );
        let encrypted = key.public_key().encrypt_raw(&block).unwrap();
        assert_eq!(
            key.decrypt_raw_blinded(&encrypted, &mut rng).unwrap(),
            block
        );
    }

    #[test]
    fn inputs_not_below_the_modulus_are_rejected() {
        let key = ServerRsaKey::test_key().clone();
        let all_ones = [0xffu8; RSA_BLOCK_LEN];
        assert!(matches!(
            key.decrypt_raw(&all_ones),
            Err(RsaKeyError::InputOutOfRange)
        ));
        let mut rng = rand::rngs::StdRng::seed_from_u64(4);
        assert!(matches!(
            key.decrypt_raw_blinded(&all_ones, &mut rng),
            Err(RsaKeyError::InputOutOfRange)
        ));
        assert!(matches!(
            key.public_key().encrypt_raw(&all_ones),
            Err(RsaKeyError::InputOutOfRange)
        ));
    }

    #[test]
    fn bad_pem_is_an_error() {
        assert!(ServerRsaKey::from_pem("garbage").is_err());
        assert!(ServerPublicKey::from_pkcs1_pem(
            "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----"
        )
        .is_err());
    }
}
