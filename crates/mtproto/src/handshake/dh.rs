//! The Diffie–Hellman half of the auth-key handshake (core.telegram.org/mtproto/auth_key,
//! steps 5–9) with the checks of core.telegram.org/mtproto/security_guidelines: Telegram's
//! 2048-bit safe prime, the generator conditions, the 2^{2048-64} range checks on g_a/g_b, the
//! temporary AES key/iv derived from the nonces, the SHA1-prefixed AES-IGE envelope of the
//! inner data, the new_nonce hashes and the first server salt.

use echo_tl::{Cursor, Deserializable};
use num_bigint::BigUint;
use num_traits::{One, Zero};
use rand::RngCore;

use super::HandshakeError;
use crate::crypto::{aes_ige_decrypt, aes_ige_encrypt, sha1};
use crate::rsa_key::{to_block, RSA_BLOCK_LEN};

/// Telegram's well-known 2048-bit safe prime (big-endian), quoted on
/// core.telegram.org/mtproto/auth_key; clients such as TDLib recognise it without re-testing it.
pub const TELEGRAM_DH_PRIME: [u8; RSA_BLOCK_LEN] = [
    0xc7, 0x1c, 0xae, 0xb9, 0xc6, 0xb1, 0xc9, 0x04, 0x8e, 0x6c, 0x52, 0x2f, 0x70, 0xf1, 0x3f, 0x73,
    0x98, 0x0d, 0x40, 0x23, 0x8e, 0x3e, 0x21, 0xc1, 0x49, 0x34, 0xd0, 0x37, 0x56, 0x3d, 0x93, 0x0f,
    0x48, 0x19, 0x8a, 0x0a, 0xa7, 0xc1, 0x40, 0x58, 0x22, 0x94, 0x93, 0xd2, 0x25, 0x30, 0xf4, 0xdb,
    0xfa, 0x33, 0x6f, 0x6e, 0x0a, 0xc9, 0x25, 0x13, 0x95, 0x43, 0xae, 0xd4, 0x4c, 0xce, 0x7c, 0x37,
    0x20, 0xfd, 0x51, 0xf6, 0x94, 0x58, 0x70, 0x5a, 0xc6, 0x8c, 0xd4, 0xfe, 0x6b, 0x6b, 0x13, 0xab,
    0xdc, 0x97, 0x46, 0x51, 0x29, 0x69, 0x32, 0x84, 0x54, 0xf1, 0x8f, 0xaf, 0x8c, 0x59, 0x5f, 0x64,
    0x24, 0x77, 0xfe, 0x96, 0xbb, 0x2a, 0x94, 0x1d, 0x5b, 0xcd, 0x1d, 0x4a, 0xc8, 0xcc, 0x49, 0x88,
    0x07, 0x08, 0xfa, 0x9b, 0x37, 0x8e, 0x3c, 0x4f, 0x3a, 0x90, 0x60, 0xbe, 0xe6, 0x7c, 0xf9, 0xa4,
    0xa4, 0xa6, 0x95, 0x81, 0x10, 0x51, 0x90, 0x7e, 0x16, 0x27, 0x53, 0xb5, 0x6b, 0x0f, 0x6b, 0x41,
    0x0d, 0xba, 0x74, 0xd8, 0xa8, 0x4b, 0x2a, 0x14, 0xb3, 0x14, 0x4e, 0x0e, 0xf1, 0x28, 0x47, 0x54,
    0xfd, 0x17, 0xed, 0x95, 0x0d, 0x59, 0x65, 0xb4, 0xb9, 0xdd, 0x46, 0x58, 0x2d, 0xb1, 0x17, 0x8d,
    0x16, 0x9c, 0x6b, 0xc4, 0x65, 0xb0, 0xd6, 0xff, 0x9c, 0xa3, 0x92, 0x8f, 0xef, 0x5b, 0x9a, 0xe4,
    0xe4, 0x18, 0xfc, 0x15, 0xe8, 0x3e, 0xbe, 0xa0, 0xf8, 0x7f, 0xa9, 0xff, 0x5e, 0xed, 0x70, 0x05,
    0x0d, 0xed, 0x28, 0x49, 0xf4, 0x7b, 0xf9, 0x59, 0xd9, 0x56, 0x85, 0x0c, 0xe9, 0x29, 0x85, 0x1f,
    0x0d, 0x81, 0x15, 0xf6, 0x35, 0xb1, 0x05, 0xee, 0x2e, 0x4e, 0x15, 0xd0, 0x4b, 0x24, 0x54, 0xbf,
    0x6f, 0x4f, 0xad, 0xf0, 0x34, 0xb1, 0x04, 0x03, 0x11, 0x9c, 0xd8, 0xe3, 0xb9, 0x2f, 0xcc, 0x5b,
];

/// The generator Telegram pairs with its prime: 3 generates the subgroup of order (p-1)/2
/// because p mod 3 = 2.
pub const TELEGRAM_DH_G: i32 = 3;

/// g_a, g_b must lie in (2^{2048-64}, p - 2^{2048-64}).
const RANGE_MARGIN_BITS: u64 = 2048 - 64;

/// Random exponent size: as large as the prime, as the security guidelines recommend.
const EXPONENT_LEN: usize = RSA_BLOCK_LEN;

/// The DH group the server hands out in server_DH_inner_data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhConfig {
    g: i32,
    prime: BigUint,
}

impl DhConfig {
    /// Telegram's prime with g = 3: what real clients accept on their fast path.
    pub fn telegram() -> Self {
        Self {
            g: TELEGRAM_DH_G,
            prime: BigUint::from_bytes_be(&TELEGRAM_DH_PRIME),
        }
    }

    /// Another group: the prime must be 2048 bits and `g` must meet its condition from the
    /// security guidelines. Primality is not re-tested here (clients test it themselves).
    pub fn new(g: i32, prime_be: &[u8]) -> Result<Self, HandshakeError> {
        let prime = BigUint::from_bytes_be(prime_be);
        if prime.bits() != 2048 || !generator_fits_prime(g, &prime) {
            return Err(HandshakeError::UntrustedDhGroup);
        }
        Ok(Self { g, prime })
    }

    pub fn g(&self) -> i32 {
        self.g
    }

    pub fn prime(&self) -> &BigUint {
        &self.prime
    }

    /// The prime as the 256 big-endian bytes sent on the wire.
    pub fn prime_bytes(&self) -> Vec<u8> {
        self.prime.to_bytes_be()
    }
}

impl Default for DhConfig {
    fn default() -> Self {
        Self::telegram()
    }
}

/// The security guidelines' condition for `g` to generate the cyclic subgroup of prime order
/// (p-1)/2 of a safe prime p.
pub(crate) fn generator_fits_prime(g: i32, prime: &BigUint) -> bool {
    let rem = |m: u32| -> u32 {
        let r = prime % m;
        r.to_u32_digits().first().copied().unwrap_or(0)
    };
    match g {
        2 => rem(8) == 7,
        3 => rem(3) == 2,
        4 => true,
        5 => matches!(rem(5), 1 | 4),
        6 => matches!(rem(24), 19 | 23),
        7 => matches!(rem(7), 3 | 5 | 6),
        _ => false,
    }
}

/// Miller–Rabin with `rounds` random bases (after trial division by small primes).
pub(crate) fn is_probable_prime(n: &BigUint, rounds: usize, rng: &mut impl RngCore) -> bool {
    const SMALL_PRIMES: [u32; 15] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47];
    for p in SMALL_PRIMES {
        if *n == BigUint::from(p) {
            return true;
        }
        if (n % p).is_zero() {
            return false;
        }
    }
    if n.bits() < 6 {
        return false;
    }
    let one = BigUint::one();
    let n_minus_1 = n - &one;
    let s = n_minus_1.trailing_zeros().unwrap_or(0);
    let d = &n_minus_1 >> s;
    let byte_len = n.bits().div_ceil(8) as usize;
    let three = BigUint::from(3u32);
    'rounds: for _ in 0..rounds {
        let mut bytes = vec![0u8; byte_len];
        rng.fill_bytes(&mut bytes);
        // A base in [2, n-2].
        let base = BigUint::from_bytes_be(&bytes) % (n - &three) + 2u32;
        let mut x = base.modpow(&d, n);
        if x == one || x == n_minus_1 {
            continue;
        }
        for _ in 1..s {
            x = x.modpow(&BigUint::from(2u32), n);
            if x == n_minus_1 {
                continue 'rounds;
            }
        }
        return false;
    }
    true
}

/// Whether a client may trust the (g, dh_prime) a server sent: a 2048-bit safe prime with a
/// generator meeting its condition. Telegram's own prime is recognised without re-testing.
pub(crate) fn is_trusted_dh_group(g: i32, prime_be: &[u8], rng: &mut impl RngCore) -> bool {
    let prime = BigUint::from_bytes_be(prime_be);
    if prime.bits() != 2048 || !generator_fits_prime(g, &prime) {
        return false;
    }
    if prime_be == TELEGRAM_DH_PRIME.as_slice() {
        return true;
    }
    let half = (&prime - 1u32) >> 1u32;
    is_probable_prime(&prime, 20, rng) && is_probable_prime(&half, 20, rng)
}

/// 1 < value < p - 1, tightened to 2^{2048-64} < value < p - 2^{2048-64}.
pub(crate) fn in_safe_range(value: &BigUint, prime: &BigUint) -> bool {
    let margin = BigUint::one() << RANGE_MARGIN_BITS;
    if *prime <= &margin << 1u32 {
        return false;
    }
    *value > margin && *value < prime - &margin
}

/// A secret exponent and the public value g^x mod p, regenerated until g^x is in range.
pub(crate) struct DhKeyPair {
    pub secret: BigUint,
    pub public: [u8; RSA_BLOCK_LEN],
}

impl DhKeyPair {
    pub fn generate(
        g: i32,
        prime: &BigUint,
        rng: &mut impl RngCore,
    ) -> Result<Self, HandshakeError> {
        let g = BigUint::from(u32::try_from(g).map_err(|_| HandshakeError::UntrustedDhGroup)?);
        // Out-of-range values have probability ~2^-64; a handful of tries is plenty.
        for _ in 0..8 {
            let mut bytes = [0u8; EXPONENT_LEN];
            rng.fill_bytes(&mut bytes);
            let secret = BigUint::from_bytes_be(&bytes);
            let public = g.modpow(&secret, prime);
            if in_safe_range(&public, prime) {
                let public = to_block(&public).ok_or(HandshakeError::DhValueOutOfRange)?;
                return Ok(Self { secret, public });
            }
        }
        Err(HandshakeError::DhValueOutOfRange)
    }

    /// The shared key (other^secret mod p) as 256 big-endian bytes. The caller has already
    /// range-checked `other`.
    pub fn shared_key(
        &self,
        other: &BigUint,
        prime: &BigUint,
    ) -> Result<[u8; RSA_BLOCK_LEN], HandshakeError> {
        to_block(&other.modpow(&self.secret, prime)).ok_or(HandshakeError::DhValueOutOfRange)
    }
}

/// Parses a peer's g_a / g_b and applies the range checks. Values longer than the prime are
/// rejected before any arithmetic.
pub(crate) fn parse_public_value(bytes: &[u8], prime: &BigUint) -> Result<BigUint, HandshakeError> {
    if bytes.len() > RSA_BLOCK_LEN {
        return Err(HandshakeError::DhValueOutOfRange);
    }
    let value = BigUint::from_bytes_be(bytes);
    if !in_safe_range(&value, prime) {
        return Err(HandshakeError::DhValueOutOfRange);
    }
    Ok(value)
}

/// tmp_aes_key and tmp_aes_iv of step 5:
/// key = SHA1(new_nonce + server_nonce) + SHA1(server_nonce + new_nonce)[0..12];
/// iv = SHA1(server_nonce + new_nonce)[12..20] + SHA1(new_nonce + new_nonce) + new_nonce[0..4].
pub(crate) fn tmp_aes_key_iv(
    new_nonce: &[u8; 32],
    server_nonce: &[u8; 16],
) -> ([u8; 32], [u8; 32]) {
    let ns = sha1(&[new_nonce, server_nonce]);
    let sn = sha1(&[server_nonce, new_nonce]);
    let nn = sha1(&[new_nonce, new_nonce]);
    let mut key = [0u8; 32];
    key[..20].copy_from_slice(&ns);
    key[20..].copy_from_slice(&sn[..12]);
    let mut iv = [0u8; 32];
    iv[..8].copy_from_slice(&sn[12..]);
    iv[8..28].copy_from_slice(&nn);
    iv[28..].copy_from_slice(&new_nonce[..4]);
    (key, iv)
}

/// new_nonce_hash1/2/3: the low 128 bits of SHA1(new_nonce + number + auth_key_aux_hash).
pub(crate) fn new_nonce_hash(new_nonce: &[u8; 32], number: u8, aux_hash: u64) -> [u8; 16] {
    let hash = sha1(&[new_nonce, &[number], &aux_hash.to_le_bytes()]);
    let mut out = [0u8; 16];
    out.copy_from_slice(&hash[4..]);
    out
}

/// The first server salt: new_nonce[0..8] XOR server_nonce[0..8], read as a little-endian long.
pub(crate) fn first_server_salt(new_nonce: &[u8; 32], server_nonce: &[u8; 16]) -> i64 {
    let mut salt = [0u8; 8];
    for (i, byte) in salt.iter_mut().enumerate() {
        *byte = new_nonce[i] ^ server_nonce[i];
    }
    i64::from_le_bytes(salt)
}

/// AES-IGE of SHA1(data) + data + 0–15 random padding bytes (server_DH_inner_data and
/// client_DH_inner_data travel this way).
pub(crate) fn seal_with_sha1(
    data: &[u8],
    key: &[u8; 32],
    iv: &[u8; 32],
    rng: &mut impl RngCore,
) -> Vec<u8> {
    let mut plain = Vec::with_capacity(20 + data.len() + 16);
    plain.extend_from_slice(&sha1(&[data]));
    plain.extend_from_slice(data);
    let padding = (16 - plain.len() % 16) % 16;
    let start = plain.len();
    plain.resize(start + padding, 0);
    rng.fill_bytes(&mut plain[start..]);
    aes_ige_encrypt(&plain, key, iv)
}

/// Reverses [`seal_with_sha1`]: decrypts, reads one boxed TL value after the hash and checks
/// that the hash covers exactly that value. Trailing padding is not otherwise constrained.
pub(crate) fn open_with_sha1<T: Deserializable>(
    encrypted: &[u8],
    key: &[u8; 32],
    iv: &[u8; 32],
) -> Result<T, HandshakeError> {
    let plain = aes_ige_decrypt(encrypted, key, iv)?;
    let (hash, body) = plain
        .split_at_checked(20)
        .ok_or(HandshakeError::InnerHashMismatch)?;
    let mut cursor = Cursor::from_slice(body);
    let value = T::deserialize(&mut cursor).map_err(|_| HandshakeError::InnerHashMismatch)?;
    let covered = body
        .get(..cursor.pos())
        .ok_or(HandshakeError::InnerHashMismatch)?;
    if sha1(&[covered]) != hash {
        return Err(HandshakeError::InnerHashMismatch);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn unhex<const N: usize>(s: &str) -> [u8; N] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    #[test]
    fn telegram_prime_is_a_safe_prime_for_g3() {
        let config = DhConfig::telegram();
        let p = config.prime();
        assert_eq!(p.bits(), 2048);
        assert!(generator_fits_prime(3, p));
        assert!(!generator_fits_prime(2, p)); // p mod 8 = 3
        let mut rng = StdRng::seed_from_u64(11);
        assert!(is_probable_prime(p, 2, &mut rng));
        assert!(is_probable_prime(&((p - 1u32) >> 1u32), 2, &mut rng));
        assert!(!is_probable_prime(&(p + 2u32), 2, &mut rng));
        assert!(is_trusted_dh_group(3, &TELEGRAM_DH_PRIME, &mut rng));
        assert!(!is_trusted_dh_group(2, &TELEGRAM_DH_PRIME, &mut rng));
        assert!(!is_trusted_dh_group(3, &TELEGRAM_DH_PRIME[1..], &mut rng));
        assert_eq!(config.prime_bytes(), TELEGRAM_DH_PRIME.to_vec());
        assert!(DhConfig::new(2, &TELEGRAM_DH_PRIME).is_err());
        assert_eq!(DhConfig::new(3, &TELEGRAM_DH_PRIME).unwrap(), config);
    }

    #[test]
    fn small_prime_checks() {
        let mut rng = StdRng::seed_from_u64(12);
        for (n, prime) in [
            (2u32, true),
            (47, true),
            (53, true),
            (91, false),
            (561, false),
            (7919, true),
        ] {
            assert_eq!(
                is_probable_prime(&BigUint::from(n), 8, &mut rng),
                prime,
                "{n}"
            );
        }
    }

    /// The worked example of core.telegram.org/mtproto/samples-auth_key.
    #[test]
    fn tmp_aes_key_and_iv_match_the_spec_sample() {
        let new_nonce: [u8; 32] =
            unhex("311C85DB234AA2640AFC4A76A735CF5B1F0FD68BD17FA181E1229AD867CC024D");
        let server_nonce: [u8; 16] = unhex("A5CF4D33F4A11EA877BA4AA573907330");
        let (key, iv) = tmp_aes_key_iv(&new_nonce, &server_nonce);
        assert_eq!(
            hex::encode_upper(key),
            "F011280887C7BB01DF0FC4E17830E0B91FBB8BE4B2267CB985AE25F33B527253"
        );
        assert_eq!(
            hex::encode_upper(iv),
            "3212D579EE35452ED23E0D0C92841AA7D31B2E9BDEF2151E80D15860311C85DB"
        );
    }

    #[test]
    fn range_checks() {
        let p = DhConfig::telegram().prime().clone();
        let margin = BigUint::one() << RANGE_MARGIN_BITS;
        let reject = [
            BigUint::zero(),
            BigUint::one(),
            margin.clone(),
            &p - &margin,
            &p - 1u32,
            p.clone(),
            &p + 1u32,
        ];
        for value in &reject {
            assert!(!in_safe_range(value, &p));
            assert!(parse_public_value(&value.to_bytes_be(), &p).is_err());
        }
        assert!(in_safe_range(&(&margin + 1u32), &p));
        assert!(in_safe_range(&(&p - &margin - 1u32), &p));
        assert!(parse_public_value(&[0x80; 257], &p).is_err());
        assert!(parse_public_value(&[], &p).is_err());
    }

    #[test]
    fn salt_and_nonce_hash() {
        let new_nonce: [u8; 32] = std::array::from_fn(|i| i as u8);
        let server_nonce: [u8; 16] = [0xff; 16];
        let salt = first_server_salt(&new_nonce, &server_nonce);
        assert_eq!(
            salt.to_le_bytes(),
            [0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8]
        );
        let hash = new_nonce_hash(&new_nonce, 1, 0x0102_0304_0506_0708);
        let full = sha1(&[&new_nonce, &[1], &[8, 7, 6, 5, 4, 3, 2, 1]]);
        assert_eq!(hash[..], full[4..]);
    }

    #[test]
    fn sealed_inner_data_round_trips_and_detects_tampering() {
        use echo_tl::{enums, types, Serializable};
        let mut rng = StdRng::seed_from_u64(13);
        let value = enums::ClientDhInnerData::Data(types::ClientDhInnerData {
            nonce: [1; 16],
            server_nonce: [2; 16],
            retry_id: 5,
            g_b: vec![9; 256],
        });
        let (key, iv) = ([3u8; 32], [4u8; 32]);
        let mut sealed = seal_with_sha1(&value.to_bytes(), &key, &iv, &mut rng);
        assert_eq!(sealed.len() % 16, 0);
        assert_eq!(
            open_with_sha1::<enums::ClientDhInnerData>(&sealed, &key, &iv).unwrap(),
            value
        );
        sealed[40] ^= 0x10;
        assert!(open_with_sha1::<enums::ClientDhInnerData>(&sealed, &key, &iv).is_err());
        assert!(open_with_sha1::<enums::ClientDhInnerData>(&sealed[..17], &key, &iv).is_err());
        assert!(open_with_sha1::<enums::ClientDhInnerData>(&[], &key, &iv).is_err());
    }
}
