//! Crypto primitives MTProto is built from: SHA-1/SHA-256 over concatenated parts, AES-256-IGE
//! (core.telegram.org/mtproto/description, "Defining AES Key and Initialization Vector"),
//! the 2048-bit `AuthKey` with its id and aux hash (core.telegram.org/mtproto/auth_key), and
//! AES-256-CTR as used by the obfuscated transport
//! (core.telegram.org/mtproto/mtproto-transports#transport-obfuscation).

use aes::cipher::consts::U16;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit, KeyIvInit, StreamCipher};
use aes::Aes256;
use sha1::{Digest, Sha1};
use sha2::Sha256;

/// AES block size in bytes; IGE works on whole blocks.
const BLOCK: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("AES-IGE input length {0} is not a multiple of 16")]
    UnalignedLength(usize),
}

/// SHA-1 of the concatenation of `parts`.
pub fn sha1(parts: &[&[u8]]) -> [u8; 20] {
    let mut hasher = Sha1::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// SHA-256 of the concatenation of `parts`.
pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

fn xor_into(dst: &mut [u8; BLOCK], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d ^= s;
    }
}

/// Splits a 32-byte IGE iv into (previous ciphertext block, previous plaintext block), which is
/// how Telegram (and OpenSSL's `AES_ige_encrypt`) lay it out.
fn split_iv(iv: &[u8; 32]) -> ([u8; BLOCK], [u8; BLOCK]) {
    let mut prev_cipher = [0u8; BLOCK];
    let mut prev_plain = [0u8; BLOCK];
    prev_cipher.copy_from_slice(&iv[..BLOCK]);
    prev_plain.copy_from_slice(&iv[BLOCK..]);
    (prev_cipher, prev_plain)
}

/// IGE encryption over any block cipher: `c_i = E(p_i ^ c_{i-1}) ^ p_{i-1}`.
/// Generic so the tests can check it against the published AES-128 IGE vectors.
fn ige_encrypt_with<C: BlockEncrypt<BlockSize = U16>>(
    cipher: &C,
    data: &[u8],
    iv: &[u8; 32],
) -> Vec<u8> {
    let (mut prev_cipher, mut prev_plain) = split_iv(iv);
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks_exact(BLOCK) {
        let mut block = prev_cipher;
        xor_into(&mut block, chunk);
        cipher.encrypt_block((&mut block).into());
        xor_into(&mut block, &prev_plain);
        out.extend_from_slice(&block);
        prev_cipher = block;
        prev_plain.copy_from_slice(chunk);
    }
    out
}

/// IGE decryption: `p_i = D(c_i ^ p_{i-1}) ^ c_{i-1}`.
fn ige_decrypt_with<C: BlockDecrypt<BlockSize = U16>>(
    cipher: &C,
    data: &[u8],
    iv: &[u8; 32],
) -> Result<Vec<u8>, CryptoError> {
    if !data.len().is_multiple_of(BLOCK) {
        return Err(CryptoError::UnalignedLength(data.len()));
    }
    let (mut prev_cipher, mut prev_plain) = split_iv(iv);
    let mut out = Vec::with_capacity(data.len());
    for chunk in data.chunks_exact(BLOCK) {
        let mut block = prev_plain;
        xor_into(&mut block, chunk);
        cipher.decrypt_block((&mut block).into());
        xor_into(&mut block, &prev_cipher);
        out.extend_from_slice(&block);
        prev_plain = block;
        prev_cipher.copy_from_slice(chunk);
    }
    Ok(out)
}

/// AES-256-IGE encryption. Callers pad `data` to a multiple of 16 bytes (MTProto always
/// specifies its own padding); should they not, the last block is completed with zero bytes.
pub fn aes_ige_encrypt(data: &[u8], key: &[u8; 32], iv: &[u8; 32]) -> Vec<u8> {
    let cipher = Aes256::new(key.into());
    if data.len().is_multiple_of(BLOCK) {
        return ige_encrypt_with(&cipher, data, iv);
    }
    let mut padded = data.to_vec();
    padded.resize(data.len().next_multiple_of(BLOCK), 0);
    ige_encrypt_with(&cipher, &padded, iv)
}

/// AES-256-IGE decryption; `data` must be a multiple of 16 bytes.
pub fn aes_ige_decrypt(data: &[u8], key: &[u8; 32], iv: &[u8; 32]) -> Result<Vec<u8>, CryptoError> {
    ige_decrypt_with(&Aes256::new(key.into()), data, iv)
}

/// A 2048-bit MTProto authorization key plus the two values derived from it by SHA-1.
#[derive(Clone)]
pub struct AuthKey {
    data: [u8; 256],
    /// Low 64 bits of SHA1(key): bytes 12..20 of the hash, read little-endian.
    id: u64,
    /// High 64 bits of SHA1(key): bytes 0..8, used in the handshake's new_nonce hashes.
    aux_hash: u64,
}

impl AuthKey {
    pub fn from_bytes(data: [u8; 256]) -> Self {
        let hash = sha1(&[&data]);
        let mut id = [0u8; 8];
        id.copy_from_slice(&hash[12..20]);
        let mut aux = [0u8; 8];
        aux.copy_from_slice(&hash[0..8]);
        Self {
            data,
            id: u64::from_le_bytes(id),
            aux_hash: u64::from_le_bytes(aux),
        }
    }

    pub fn data(&self) -> &[u8; 256] {
        &self.data
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn aux_hash(&self) -> u64 {
        self.aux_hash
    }
}

impl std::fmt::Debug for AuthKey {
    // Never print key material into logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthKey")
            .field("id", &format_args!("{:016x}", self.id))
            .finish_non_exhaustive()
    }
}

impl PartialEq for AuthKey {
    fn eq(&self, other: &Self) -> bool {
        self.data == other.data
    }
}

impl Eq for AuthKey {}

type Aes256Ctr = ctr::Ctr128BE<Aes256>;

/// AES-256-CTR keystream with a 128-bit big-endian counter, one per transport direction.
pub struct AesCtr {
    inner: Aes256Ctr,
}

impl AesCtr {
    pub fn new(key: &[u8; 32], iv: &[u8; 16]) -> Self {
        Self {
            inner: Aes256Ctr::new(key.into(), iv.into()),
        }
    }

    /// Encrypts or decrypts `data` in place, continuing the keystream where the last call ended.
    pub fn apply(&mut self, data: &mut [u8]) {
        self.inner.apply_keystream(data);
    }
}

impl std::fmt::Debug for AesCtr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesCtr { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::Aes128;

    fn unhex<const N: usize>(s: &str) -> [u8; N] {
        let v = hex::decode(s).unwrap();
        v.try_into().unwrap()
    }

    #[test]
    fn sha_of_parts_is_sha_of_concatenation() {
        assert_eq!(sha1(&[b"ab", b"c"]), sha1(&[b"abc"]));
        assert_eq!(
            hex::encode(sha1(&[b"abc"])),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex::encode(sha256(&[b"a", b"", b"bc"])),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    // Vector 1 of the OpenSSL IGE paper (Ben Laurie), AES-128.
    #[test]
    fn ige_matches_openssl_vector() {
        let key: [u8; 16] = unhex("000102030405060708090a0b0c0d0e0f");
        let iv: [u8; 32] =
            unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        let cipher = Aes128::new((&key).into());
        let ct = ige_encrypt_with(&cipher, &[0u8; 32], &iv);
        assert_eq!(
            hex::encode(&ct),
            "1a8519a6557be652e9da8e43da4ef4453cf456b4ca488aa383c79c98b34797cb"
        );
        assert_eq!(ige_decrypt_with(&cipher, &ct, &iv).unwrap(), vec![0u8; 32]);
    }

    // AES-256 vector produced independently with Python `cryptography` (ECB blocks chained by
    // hand): key = 00..1f, iv = 20..3f, plaintext = 40..7f.
    #[test]
    fn ige256_known_answer_and_roundtrip() {
        let key: [u8; 32] = std::array::from_fn(|i| i as u8);
        let iv: [u8; 32] = std::array::from_fn(|i| 0x20 + i as u8);
        let plain: Vec<u8> = (0x40..0x80).collect();
        let ct = aes_ige_encrypt(&plain, &key, &iv);
        assert_eq!(hex::encode(&ct), IGE256_EXPECTED);
        assert_eq!(aes_ige_decrypt(&ct, &key, &iv).unwrap(), plain);
    }

    // Vector from the grammers client's tests: key = iv = plaintext = 00..1f.
    #[test]
    fn ige256_matches_grammers_vector() {
        let bytes: [u8; 32] = std::array::from_fn(|i| i as u8);
        assert_eq!(
            hex::encode(aes_ige_encrypt(&bytes, &bytes, &bytes)),
            "e28112a53e5c89c7b1ea8071c133699fd4e86b26c4bac9fc5af1ab8ce27a44a4"
        );
    }

    const IGE256_EXPECTED: &str = "b6b23cb46d2f43de2c67fc9a3a9e35104fad6ed15177969c1cebc616bcfa482cb220e4d159bedfd570df191a805e9d9d13b6d62f0ea1e40541bd31ebe72f51c6";

    #[test]
    fn ige_rejects_unaligned() {
        let err = aes_ige_decrypt(&[0u8; 17], &[0; 32], &[0; 32]).unwrap_err();
        assert_eq!(err, CryptoError::UnalignedLength(17));
        // Encryption completes a partial block with zeros.
        let key = [5u8; 32];
        let iv = [6u8; 32];
        let mut padded = vec![7u8; 20];
        let short = aes_ige_encrypt(&padded, &key, &iv);
        padded.resize(32, 0);
        assert_eq!(short, aes_ige_encrypt(&padded, &key, &iv));
        assert!(aes_ige_decrypt(&[], &[0; 32], &[0; 32]).unwrap().is_empty());
    }

    #[test]
    fn auth_key_id_and_aux_hash() {
        let data: [u8; 256] = std::array::from_fn(|i| i as u8);
        let key = AuthKey::from_bytes(data);
        let hash = sha1(&[&data]);
        assert_eq!(key.id().to_le_bytes(), hash[12..20]);
        assert_eq!(key.aux_hash().to_le_bytes(), hash[0..8]);
        assert_eq!(key.data(), &data);
        assert!(!format!("{key:?}").contains("data"));
    }

    // NIST SP 800-38A F.5.5 (CTR-AES256.Encrypt), first two blocks.
    #[test]
    fn ctr_matches_nist_vector_and_streams() {
        let key: [u8; 32] =
            unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        let iv: [u8; 16] = unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        let mut data =
            hex::decode("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
                .unwrap();
        let mut streamed = data.clone();
        AesCtr::new(&key, &iv).apply(&mut data);
        assert_eq!(
            hex::encode(&data),
            "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
        );
        // Applying in uneven pieces continues the same keystream.
        let mut ctr = AesCtr::new(&key, &iv);
        let (a, b) = streamed.split_at_mut(5);
        ctr.apply(a);
        ctr.apply(b);
        assert_eq!(streamed, data);
    }
}
