//! MTProto 2.0 message codec: encrypted messages (core.telegram.org/mtproto/description,
//! checks from core.telegram.org/mtproto/security_guidelines), the quick-ack token
//! (core.telegram.org/mtproto/mtproto-transports#quick-ack) and the unencrypted messages used by
//! the auth-key handshake.
//!
//! Trailing bytes: the padded intermediate transport appends 0..15 random bytes to a frame and
//! never says how many, so everything here tolerates up to 15 bytes after the message. Encrypted
//! packets are cut to `24 + 16k` bytes (as TDLib does); unencrypted ones use their own length
//! field.

use rand::RngCore;

use crate::crypto::{aes_ige_decrypt, aes_ige_encrypt, sha256, AuthKey};

/// `x` of the spec for messages sent by the client.
const X_CLIENT: usize = 0;
/// `x` of the spec for messages sent by the server.
const X_SERVER: usize = 8;
/// auth_key_id (8) + msg_key (16) in front of the ciphertext.
const ENCRYPTED_HEADER_LEN: usize = 24;
/// salt (8) + session_id (8) + msg_id (8) + seq_no (4) + message_data_length (4).
const INNER_HEADER_LEN: usize = 32;
/// auth_key_id (8) + msg_id (8) + message_data_length (4) of an unencrypted message.
const PLAIN_HEADER_LEN: usize = 20;
const MIN_PADDING: usize = 12;
const MAX_PADDING: usize = 1024;
/// The most junk a padded-intermediate frame may carry after the real message.
const MAX_TRAILING: usize = 15;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("packet of {0} bytes is too short")]
    TooShort(usize),
    #[error("auth_key_id {found:016x} does not match {expected:016x}")]
    AuthKeyIdMismatch { expected: u64, found: u64 },
    #[error("msg_key does not match the decrypted plaintext")]
    MsgKeyMismatch,
    #[error("message_data_length {0} is not a multiple of 4")]
    LengthNotAligned(u32),
    #[error("message_data_length {declared} exceeds the {available} bytes available")]
    LengthTooLarge { declared: u32, available: usize },
    #[error("padding of {0} bytes is outside 12..=1024")]
    BadPadding(usize),
    #[error("unencrypted message has non-zero auth_key_id {0:016x}")]
    NotPlain(u64),
    #[error("unencrypted message declares {declared} bytes but {available} follow")]
    PlainLengthMismatch { declared: u32, available: usize },
}

/// The decrypted inner part of an encrypted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainMessage {
    pub salt: i64,
    pub session_id: i64,
    pub msg_id: i64,
    pub seq_no: i32,
    pub body: Vec<u8>,
}

/// A client message after decryption, with the token the server sends back when the transport
/// asked for a quick ack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecryptedMessage {
    pub message: PlainMessage,
    pub quick_ack_token: u32,
}

/// The auth_key_id a packet starts with (0 for unencrypted handshake messages).
pub fn auth_key_id(packet: &[u8]) -> Result<u64, MessageError> {
    read_u64(packet, 0).ok_or(MessageError::TooShort(packet.len()))
}

fn read_u64(buf: &[u8], at: usize) -> Option<u64> {
    let bytes = buf.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(bytes.try_into().ok()?))
}

fn read_u32(buf: &[u8], at: usize) -> Option<u32> {
    let bytes = buf.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(bytes.try_into().ok()?))
}

/// msg_key_large = SHA256(substr(auth_key, 88+x, 32) + plaintext + random_padding).
fn msg_key_large(key: &AuthKey, x: usize, padded_plaintext: &[u8]) -> [u8; 32] {
    sha256(&[&key.data()[88 + x..120 + x], padded_plaintext])
}

fn msg_key_of(large: &[u8; 32]) -> [u8; 16] {
    let mut msg_key = [0u8; 16];
    msg_key.copy_from_slice(&large[8..24]);
    msg_key
}

/// Derives (aes_key, aes_iv) from auth_key and msg_key as "Defining AES Key and IV" says.
fn derive_aes(key: &AuthKey, msg_key: &[u8; 16], x: usize) -> ([u8; 32], [u8; 32]) {
    let data = key.data();
    let a = sha256(&[msg_key, &data[x..x + 36]]);
    let b = sha256(&[&data[40 + x..76 + x], msg_key]);
    let mut aes_key = [0u8; 32];
    aes_key[..8].copy_from_slice(&a[..8]);
    aes_key[8..24].copy_from_slice(&b[8..24]);
    aes_key[24..].copy_from_slice(&a[24..]);
    let mut aes_iv = [0u8; 32];
    aes_iv[..8].copy_from_slice(&b[..8]);
    aes_iv[8..24].copy_from_slice(&a[8..24]);
    aes_iv[24..].copy_from_slice(&b[24..]);
    (aes_key, aes_iv)
}

/// The quick-ack token for a client message: the first 32 bits (little-endian) of msg_key_large
/// with the high bit set. `padded_plaintext` is the whole decrypted plaintext, padding included.
pub fn quick_ack_token(key: &AuthKey, padded_plaintext: &[u8]) -> u32 {
    token_of(&msg_key_large(key, X_CLIENT, padded_plaintext))
}

fn token_of(large: &[u8; 32]) -> u32 {
    u32::from_le_bytes([large[0], large[1], large[2], large[3]]) | 0x8000_0000
}

/// The padding length `encrypt_*_message` uses for a body of `body_len` bytes: the smallest
/// amount in 12..=27 that makes the plaintext a multiple of 16 bytes.
pub fn padding_len(body_len: usize) -> usize {
    MIN_PADDING + (16 - (INNER_HEADER_LEN + body_len + MIN_PADDING) % 16) % 16
}

fn encrypt(key: &AuthKey, x: usize, msg: &PlainMessage, padding: &[u8]) -> Vec<u8> {
    let mut plain = Vec::with_capacity(INNER_HEADER_LEN + msg.body.len() + padding.len());
    plain.extend_from_slice(&msg.salt.to_le_bytes());
    plain.extend_from_slice(&msg.session_id.to_le_bytes());
    plain.extend_from_slice(&msg.msg_id.to_le_bytes());
    plain.extend_from_slice(&msg.seq_no.to_le_bytes());
    // Bodies are bounded far below 4 GiB by the transport's frame limit.
    let body_len = u32::try_from(msg.body.len()).unwrap_or(u32::MAX);
    plain.extend_from_slice(&body_len.to_le_bytes());
    plain.extend_from_slice(&msg.body);
    plain.extend_from_slice(padding);
    encrypt_padded(key, x, &plain)
}

/// Encrypts an already padded plaintext and prepends auth_key_id and msg_key.
fn encrypt_padded(key: &AuthKey, x: usize, padded_plaintext: &[u8]) -> Vec<u8> {
    let msg_key = msg_key_of(&msg_key_large(key, x, padded_plaintext));
    let (aes_key, aes_iv) = derive_aes(key, &msg_key, x);
    let mut out = Vec::with_capacity(ENCRYPTED_HEADER_LEN + padded_plaintext.len());
    out.extend_from_slice(&key.id().to_le_bytes());
    out.extend_from_slice(&msg_key);
    out.extend_from_slice(&aes_ige_encrypt(padded_plaintext, &aes_key, &aes_iv));
    out
}

fn check_padding(body_len: usize, padding: &[u8]) -> Result<(), MessageError> {
    let total = INNER_HEADER_LEN + body_len + padding.len();
    if !(MIN_PADDING..=MAX_PADDING).contains(&padding.len()) || !total.is_multiple_of(16) {
        return Err(MessageError::BadPadding(padding.len()));
    }
    Ok(())
}

fn random_padding<R: RngCore + ?Sized>(body_len: usize, rng: &mut R) -> Vec<u8> {
    let mut padding = vec![0u8; padding_len(body_len)];
    rng.fill_bytes(&mut padding);
    padding
}

/// Encrypts a server-to-client message (x = 8) with `padding_len(body)` random bytes from `rng`.
/// `msg.body` must be a multiple of 4 bytes (any TL object is), or the client rejects it.
pub fn encrypt_server_message<R: RngCore + ?Sized>(
    key: &AuthKey,
    msg: &PlainMessage,
    rng: &mut R,
) -> Vec<u8> {
    let padding = random_padding(msg.body.len(), rng);
    encrypt(key, X_SERVER, msg, &padding)
}

/// Like `encrypt_server_message` with caller-chosen padding: 12..=1024 bytes making
/// 32 + body + padding a multiple of 16 (`padding_len` gives the smallest such length).
pub fn encrypt_server_message_with_padding(
    key: &AuthKey,
    msg: &PlainMessage,
    padding: &[u8],
) -> Result<Vec<u8>, MessageError> {
    check_padding(msg.body.len(), padding)?;
    Ok(encrypt(key, X_SERVER, msg, padding))
}

/// Client-side mirror of `encrypt_server_message` (x = 0), for tests and the load tool.
pub fn encrypt_client_message<R: RngCore + ?Sized>(
    key: &AuthKey,
    msg: &PlainMessage,
    rng: &mut R,
) -> Vec<u8> {
    let padding = random_padding(msg.body.len(), rng);
    encrypt(key, X_CLIENT, msg, &padding)
}

/// Decrypts and verifies a client-to-server message (x = 0).
pub fn decrypt_client_message(
    key: &AuthKey,
    packet: &[u8],
) -> Result<DecryptedMessage, MessageError> {
    decrypt(key, X_CLIENT, packet)
}

/// Decrypts and verifies a server-to-client message (x = 8); the client-side mirror.
pub fn decrypt_server_message(key: &AuthKey, packet: &[u8]) -> Result<PlainMessage, MessageError> {
    decrypt(key, X_SERVER, packet).map(|decrypted| decrypted.message)
}

fn decrypt(key: &AuthKey, x: usize, packet: &[u8]) -> Result<DecryptedMessage, MessageError> {
    let too_short = MessageError::TooShort(packet.len());
    let found = auth_key_id(packet)?;
    if found != key.id() {
        return Err(MessageError::AuthKeyIdMismatch {
            expected: key.id(),
            found,
        });
    }
    let mut msg_key = [0u8; 16];
    msg_key.copy_from_slice(
        packet
            .get(8..ENCRYPTED_HEADER_LEN)
            .ok_or(too_short.clone())?,
    );
    let ciphertext = packet
        .get(ENCRYPTED_HEADER_LEN..)
        .ok_or(too_short.clone())?;
    // Ignore a partial trailing block (padded intermediate junk), as TDLib does.
    let ciphertext = ciphertext
        .get(..ciphertext.len() - ciphertext.len() % 16)
        .ok_or(too_short.clone())?;
    if ciphertext.len() < INNER_HEADER_LEN + MIN_PADDING {
        return Err(too_short);
    }

    let (aes_key, aes_iv) = derive_aes(key, &msg_key, x);
    let plain = aes_ige_decrypt(ciphertext, &aes_key, &aes_iv).map_err(|_| too_short.clone())?;
    let large = msg_key_large(key, x, &plain);
    // Constant-time comparison: do not leak how many bytes matched.
    let diff = large[8..24]
        .iter()
        .zip(&msg_key)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if diff != 0 {
        return Err(MessageError::MsgKeyMismatch);
    }

    let header = |at| read_u64(&plain, at).ok_or(too_short.clone());
    let salt = header(0)? as i64;
    let session_id = header(8)? as i64;
    let msg_id = header(16)? as i64;
    let seq_no = read_u32(&plain, 24).ok_or(too_short.clone())? as i32;
    let declared = read_u32(&plain, 28).ok_or(too_short.clone())?;
    if declared % 4 != 0 {
        return Err(MessageError::LengthNotAligned(declared));
    }
    let available = plain.len() - INNER_HEADER_LEN;
    let body_len = declared as usize;
    if body_len > available {
        return Err(MessageError::LengthTooLarge {
            declared,
            available,
        });
    }
    let padding = available - body_len;
    if !(MIN_PADDING..=MAX_PADDING).contains(&padding) {
        return Err(MessageError::BadPadding(padding));
    }
    let body = plain
        .get(INNER_HEADER_LEN..INNER_HEADER_LEN + body_len)
        .ok_or(too_short)?
        .to_vec();
    Ok(DecryptedMessage {
        message: PlainMessage {
            salt,
            session_id,
            msg_id,
            seq_no,
            body,
        },
        quick_ack_token: token_of(&large),
    })
}

/// Parses an unencrypted message: auth_key_id = 0, msg_id, message_data_length, body.
/// Up to 15 trailing bytes are tolerated (padded intermediate); more is an error.
pub fn parse_plain(packet: &[u8]) -> Result<(i64, &[u8]), MessageError> {
    let too_short = MessageError::TooShort(packet.len());
    let key_id = auth_key_id(packet)?;
    if key_id != 0 {
        return Err(MessageError::NotPlain(key_id));
    }
    let msg_id = read_u64(packet, 8).ok_or(too_short.clone())? as i64;
    let declared = read_u32(packet, 16).ok_or(too_short.clone())?;
    let rest = packet.get(PLAIN_HEADER_LEN..).ok_or(too_short)?;
    let mismatch = MessageError::PlainLengthMismatch {
        declared,
        available: rest.len(),
    };
    let body_len = declared as usize;
    if body_len > rest.len() || rest.len() - body_len > MAX_TRAILING {
        return Err(mismatch);
    }
    let body = rest.get(..body_len).ok_or(mismatch)?;
    Ok((msg_id, body))
}

/// Builds an unencrypted message (auth_key_id = 0).
pub fn build_plain(msg_id: i64, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(PLAIN_HEADER_LEN + body.len());
    out.extend_from_slice(&0u64.to_le_bytes());
    out.extend_from_slice(&msg_id.to_le_bytes());
    let body_len = u32::try_from(body.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&body_len.to_le_bytes());
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests;
