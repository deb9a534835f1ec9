//! The two ways clients RSA-encrypt `p_q_inner_data` in req_DH_params
//! (core.telegram.org/mtproto/auth_key, step 4):
//! - legacy (Telethon, Pyrogram): RSA(SHA1(data) + data + random bytes up to 255 bytes);
//! - RSA_PAD (TDLib, grammers, official apps; step 4.1): the data is padded to 192 bytes,
//!   reversed, hashed with a random temp_key, AES-IGE encrypted under temp_key with a zero iv,
//!   and temp_key is sent XORed with SHA256 of that ciphertext.
//!
//! The server cannot tell them apart from the request, so it decrypts once and accepts
//! whichever scheme's integrity check verifies.

use echo_tl::{enums::PQInnerData, Cursor, Deserializable};
use num_bigint::BigUint;
use rand::{CryptoRng, RngCore};

use super::HandshakeError;
use crate::crypto::{aes_ige_decrypt, aes_ige_encrypt, sha1, sha256};
use crate::rsa_key::{RsaKeyError, ServerPublicKey, ServerRsaKey, RSA_BLOCK_LEN};

/// How a client RSA-encrypted its inner data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RsaScheme {
    /// SHA1-prefixed, padded to 255 bytes.
    Legacy,
    /// RSA_PAD, step 4.1 of core.telegram.org/mtproto/auth_key.
    RsaPad,
}

/// Legacy block: one zero byte (keeps the number below n), SHA1, data, padding.
const LEGACY_HASH_OFFSET: usize = 1;
const LEGACY_DATA_OFFSET: usize = LEGACY_HASH_OFFSET + 20;
const LEGACY_MAX_DATA: usize = RSA_BLOCK_LEN - LEGACY_DATA_OFFSET;
/// RSA_PAD: data_with_padding is 192 bytes, of which the data may use 144.
const PAD_DATA_LEN: usize = 192;
const PAD_MAX_DATA: usize = 144;
const TEMP_KEY_LEN: usize = 32;
const ZERO_IV: [u8; 32] = [0u8; 32];

fn xor32(a: &[u8], b: &[u8; 32]) -> [u8; 32] {
    let mut out = *b;
    for (o, x) in out.iter_mut().zip(a) {
        *o ^= x;
    }
    out
}

/// Client side, legacy scheme.
pub(crate) fn encrypt_legacy(
    key: &ServerPublicKey,
    data: &[u8],
    rng: &mut impl RngCore,
) -> Result<[u8; RSA_BLOCK_LEN], HandshakeError> {
    if data.len() > LEGACY_MAX_DATA {
        return Err(HandshakeError::PayloadTooLarge);
    }
    let mut block = [0u8; RSA_BLOCK_LEN];
    rng.fill_bytes(&mut block[LEGACY_DATA_OFFSET + data.len()..]);
    block[LEGACY_HASH_OFFSET..LEGACY_DATA_OFFSET].copy_from_slice(&sha1(&[data]));
    block[LEGACY_DATA_OFFSET..LEGACY_DATA_OFFSET + data.len()].copy_from_slice(data);
    Ok(key.encrypt_raw(&block)?)
}

/// Client side, RSA_PAD: retries with a new temp_key until the block is below the modulus.
pub(crate) fn encrypt_rsa_pad(
    key: &ServerPublicKey,
    data: &[u8],
    rng: &mut impl RngCore,
) -> Result<[u8; RSA_BLOCK_LEN], HandshakeError> {
    if data.len() > PAD_MAX_DATA {
        return Err(HandshakeError::PayloadTooLarge);
    }
    let mut data_with_padding = [0u8; PAD_DATA_LEN];
    data_with_padding[..data.len()].copy_from_slice(data);
    rng.fill_bytes(&mut data_with_padding[data.len()..]);
    let mut data_with_hash = Vec::with_capacity(PAD_DATA_LEN + 32);
    data_with_hash.extend(data_with_padding.iter().rev());
    // Each attempt is below n with probability > 1/2 since n >= 2^2047.
    for _ in 0..64 {
        let mut temp_key = [0u8; TEMP_KEY_LEN];
        rng.fill_bytes(&mut temp_key);
        data_with_hash.truncate(PAD_DATA_LEN);
        data_with_hash.extend_from_slice(&sha256(&[&temp_key, &data_with_padding]));
        let aes_encrypted = aes_ige_encrypt(&data_with_hash, &temp_key, &ZERO_IV);
        let temp_key_xor = xor32(&sha256(&[&aes_encrypted]), &temp_key);
        let mut block = [0u8; RSA_BLOCK_LEN];
        block[..TEMP_KEY_LEN].copy_from_slice(&temp_key_xor);
        block[TEMP_KEY_LEN..].copy_from_slice(&aes_encrypted);
        if BigUint::from_bytes_be(&block) < *key.modulus() {
            return Ok(key.encrypt_raw(&block)?);
        }
    }
    Err(HandshakeError::Rsa(RsaKeyError::InputOutOfRange))
}

/// Server side: RSA-decrypts `encrypted_data` and returns the inner data of whichever scheme
/// verifies, with the scheme used.
pub(crate) fn decrypt_inner_data(
    key: &ServerRsaKey,
    encrypted: &[u8],
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<(PQInnerData, RsaScheme), HandshakeError> {
    // Clients send exactly 256 bytes; a shorter string is the same number without leading zeros.
    let start = RSA_BLOCK_LEN
        .checked_sub(encrypted.len())
        .ok_or(HandshakeError::EncryptedDataInvalid)?;
    if encrypted.is_empty() {
        return Err(HandshakeError::EncryptedDataInvalid);
    }
    let mut block = [0u8; RSA_BLOCK_LEN];
    block[start..].copy_from_slice(encrypted);
    let plain = key
        .decrypt_raw_blinded(&block, rng)
        .map_err(|_| HandshakeError::EncryptedDataInvalid)?;
    if let Some(inner) = open_legacy(&plain) {
        return Ok((inner, RsaScheme::Legacy));
    }
    if let Some(inner) = open_rsa_pad(&plain) {
        return Ok((inner, RsaScheme::RsaPad));
    }
    Err(HandshakeError::EncryptedDataInvalid)
}

fn open_legacy(plain: &[u8; RSA_BLOCK_LEN]) -> Option<PQInnerData> {
    let hash = &plain[LEGACY_HASH_OFFSET..LEGACY_DATA_OFFSET];
    let body = &plain[LEGACY_DATA_OFFSET..];
    let mut cursor = Cursor::from_slice(body);
    let inner = PQInnerData::deserialize(&mut cursor).ok()?;
    let covered = body.get(..cursor.pos())?;
    (sha1(&[covered]) == hash).then_some(inner)
}

fn open_rsa_pad(plain: &[u8; RSA_BLOCK_LEN]) -> Option<PQInnerData> {
    let (temp_key_xor, aes_encrypted) = plain.split_at(TEMP_KEY_LEN);
    let temp_key = xor32(temp_key_xor, &sha256(&[aes_encrypted]));
    let data_with_hash = aes_ige_decrypt(aes_encrypted, &temp_key, &ZERO_IV).ok()?;
    let (reversed, hash) = data_with_hash.split_at_checked(PAD_DATA_LEN)?;
    let data_with_padding: Vec<u8> = reversed.iter().rev().copied().collect();
    if sha256(&[&temp_key, &data_with_padding]) != hash {
        return None;
    }
    PQInnerData::from_bytes(&data_with_padding).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use echo_tl::{types, Serializable};
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn test_key() -> ServerRsaKey {
        ServerRsaKey::test_key().clone()
    }

    fn sample_inner() -> PQInnerData {
        PQInnerData::TempDc(types::PQInnerDataTempDc {
            pq: vec![0x17, 0xED, 0x48, 0x94, 0x1A, 0x08, 0xF9, 0x81],
            p: vec![0x49, 0x4C, 0x55, 0x3B],
            q: vec![0x53, 0x91, 0x10, 0x73],
            nonce: [1; 16],
            server_nonce: [2; 16],
            new_nonce: [3; 32],
            dc: -2,
            expires_in: 86400,
        })
    }

    #[test]
    fn both_schemes_round_trip_and_are_detected() {
        let key = test_key();
        let mut rng = StdRng::seed_from_u64(1);
        let data = sample_inner().to_bytes();
        let legacy = encrypt_legacy(key.public_key(), &data, &mut rng).unwrap();
        let padded = encrypt_rsa_pad(key.public_key(), &data, &mut rng).unwrap();
        assert_eq!(
            decrypt_inner_data(&key, &legacy, &mut rng).unwrap(),
            (sample_inner(), RsaScheme::Legacy)
        );
        assert_eq!(
            decrypt_inner_data(&key, &padded, &mut rng).unwrap(),
            (sample_inner(), RsaScheme::RsaPad)
        );
    }

    #[test]
    fn tampering_is_detected() {
        let key = test_key();
        let mut rng = StdRng::seed_from_u64(2);
        let data = sample_inner().to_bytes();
        for mut block in [
            encrypt_legacy(key.public_key(), &data, &mut rng).unwrap(),
            encrypt_rsa_pad(key.public_key(), &data, &mut rng).unwrap(),
        ] {
            block[100] ^= 1;
            assert!(matches!(
                decrypt_inner_data(&key, &block, &mut rng),
                Err(HandshakeError::EncryptedDataInvalid)
            ));
        }
        assert!(decrypt_inner_data(&key, &[], &mut rng).is_err());
        assert!(decrypt_inner_data(&key, &[0xff; 256], &mut rng).is_err());
        assert!(decrypt_inner_data(&key, &[0x11; 257], &mut rng).is_err());
        assert!(decrypt_inner_data(&key, &[0x11; 7], &mut rng).is_err());
    }

    #[test]
    fn oversized_payloads_are_refused() {
        let key = test_key();
        let mut rng = StdRng::seed_from_u64(3);
        assert!(encrypt_rsa_pad(key.public_key(), &[0; 145], &mut rng).is_err());
        assert!(encrypt_legacy(key.public_key(), &[0; 236], &mut rng).is_err());
    }
}
