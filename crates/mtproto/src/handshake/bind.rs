//! The binding message of auth.bindTempAuthKey (core.telegram.org/method/auth.bindTempAuthKey,
//! /mtproto/description "Perfect Forward Secrecy", /api/pfs): a bind_auth_key_inner encrypted
//! with the permanent key under MTProto v1 (SHA1-based msg_key and AES key derivation, x = 0).
//! The server verifies it with [`verify_binding`]; [`encrypt_binding`] is the client side.

use echo_tl::{enums, types, Cursor, Deserializable, Serializable};
use rand::RngCore;

use crate::crypto::{aes_ige_decrypt, aes_ige_encrypt, sha1, AuthKey};

/// perm_auth_key_id (8) + msg_key (16) precede the ciphertext.
const HEADER_LEN: usize = 24;
/// random:int128 + msg_id:long + seqno:int + msg_len:int before the inner object.
const PREFIX_LEN: usize = 32;
/// bind_auth_key_inner is a fixed 40 bytes; anything else is malformed.
const INNER_LEN: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindError {
    #[error("encrypted_message is malformed")]
    Malformed,
    #[error("encrypted_message is not encrypted with the permanent key {0:#018x}")]
    WrongPermKey(i64),
    #[error("msg_key of the binding message does not match")]
    MsgKeyMismatch,
    #[error("binding message field {0} does not match the request")]
    FieldMismatch(&'static str),
}

/// The plain fields of the auth.bindTempAuthKey request.
#[derive(Clone, Copy, Debug)]
pub struct BindRequest<'a> {
    pub perm_auth_key_id: i64,
    pub nonce: i64,
    pub expires_at: i32,
    pub encrypted_message: &'a [u8],
}

/// What the server knows about the message that carried the request.
#[derive(Clone, Copy, Debug)]
pub struct BindContext {
    /// The (temporary) key the request was encrypted with.
    pub temp_auth_key_id: i64,
    pub session_id: i64,
    pub msg_id: i64,
}

/// MTProto v1 key derivation (core.telegram.org/mtproto/description#defining-aes-key-and-initialization-vector
/// for v1), client-to-server direction (x = 0).
fn v1_key_iv(auth_key: &AuthKey, msg_key: &[u8; 16]) -> ([u8; 32], [u8; 32]) {
    let k = auth_key.data();
    let a = sha1(&[msg_key, &k[0..32]]);
    let b = sha1(&[&k[32..48], msg_key, &k[48..64]]);
    let c = sha1(&[&k[64..96], msg_key]);
    let d = sha1(&[msg_key, &k[96..128]]);
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&a[..8]);
    key[8..20].copy_from_slice(&b[8..20]);
    key[20..].copy_from_slice(&c[4..16]);
    let mut iv = [0u8; 32];
    iv[..12].copy_from_slice(&a[8..20]);
    iv[12..20].copy_from_slice(&b[..8]);
    iv[20..24].copy_from_slice(&c[16..20]);
    iv[24..].copy_from_slice(&d[..8]);
    (key, iv)
}

/// v1 msg_key: the low 128 bits of SHA1 of the unpadded plaintext.
fn v1_msg_key(plaintext: &[u8]) -> [u8; 16] {
    let hash = sha1(&[plaintext]);
    let mut out = [0u8; 16];
    out.copy_from_slice(&hash[4..]);
    out
}

/// Client side: builds encrypted_message for `inner`, to be sent in a request with `msg_id`.
pub fn encrypt_binding(
    perm_key: &AuthKey,
    inner: &types::BindAuthKeyInner,
    msg_id: i64,
    rng: &mut impl RngCore,
) -> Vec<u8> {
    let mut plain = vec![0u8; 16];
    rng.fill_bytes(&mut plain);
    plain.extend_from_slice(&msg_id.to_le_bytes());
    plain.extend_from_slice(&0i32.to_le_bytes());
    plain.extend_from_slice(&(INNER_LEN as i32).to_le_bytes());
    enums::BindAuthKeyInner::Inner(inner.clone()).serialize(&mut plain);
    let msg_key = v1_msg_key(&plain);
    let unpadded = plain.len();
    plain.resize(unpadded.div_ceil(16) * 16, 0);
    rng.fill_bytes(&mut plain[unpadded..]);
    let (key, iv) = v1_key_iv(perm_key, &msg_key);
    let mut out = Vec::with_capacity(HEADER_LEN + plain.len());
    out.extend_from_slice(&perm_key.id().to_le_bytes());
    out.extend_from_slice(&msg_key);
    out.extend_from_slice(&aes_ige_encrypt(&plain, &key, &iv));
    out
}

/// Server side: decrypts the binding message with the permanent key the request names and
/// checks every field against the request and the message that carried it.
pub fn verify_binding(
    perm_key: &AuthKey,
    request: &BindRequest<'_>,
    context: &BindContext,
) -> Result<types::BindAuthKeyInner, BindError> {
    let message = request.encrypted_message;
    let (key_id, rest) = message.split_at_checked(8).ok_or(BindError::Malformed)?;
    let (msg_key, ciphertext) = rest.split_at_checked(16).ok_or(BindError::Malformed)?;
    let mut key_id_bytes = [0u8; 8];
    key_id_bytes.copy_from_slice(key_id);
    let perm_id = perm_key.id() as i64;
    if i64::from_le_bytes(key_id_bytes) != perm_id || request.perm_auth_key_id != perm_id {
        return Err(BindError::WrongPermKey(request.perm_auth_key_id));
    }
    let mut msg_key_bytes = [0u8; 16];
    msg_key_bytes.copy_from_slice(msg_key);
    let (key, iv) = v1_key_iv(perm_key, &msg_key_bytes);
    let plain = aes_ige_decrypt(ciphertext, &key, &iv).map_err(|_| BindError::Malformed)?;
    let unpadded = plain
        .get(..PREFIX_LEN + INNER_LEN)
        .ok_or(BindError::Malformed)?;
    if v1_msg_key(unpadded) != msg_key_bytes {
        return Err(BindError::MsgKeyMismatch);
    }
    let mut cursor = Cursor::from_slice(&unpadded[16..]);
    let msg_id = i64::deserialize(&mut cursor).map_err(|_| BindError::Malformed)?;
    let seqno = i32::deserialize(&mut cursor).map_err(|_| BindError::Malformed)?;
    let msg_len = i32::deserialize(&mut cursor).map_err(|_| BindError::Malformed)?;
    let enums::BindAuthKeyInner::Inner(inner) =
        enums::BindAuthKeyInner::deserialize(&mut cursor).map_err(|_| BindError::Malformed)?;
    if msg_len != INNER_LEN as i32 || seqno != 0 {
        return Err(BindError::Malformed);
    }
    let checks = [
        (msg_id == context.msg_id, "msg_id"),
        (inner.nonce == request.nonce, "nonce"),
        (inner.expires_at == request.expires_at, "expires_at"),
        (inner.perm_auth_key_id == perm_id, "perm_auth_key_id"),
        (
            inner.temp_auth_key_id == context.temp_auth_key_id,
            "temp_auth_key_id",
        ),
        (
            inner.temp_session_id == context.session_id,
            "temp_session_id",
        ),
    ];
    if let Some((_, field)) = checks.iter().find(|(ok, _)| !ok) {
        return Err(BindError::FieldMismatch(field));
    }
    Ok(inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn key(seed: u8) -> AuthKey {
        AuthKey::from_bytes(std::array::from_fn(|i| (i as u8).wrapping_mul(31) ^ seed))
    }

    fn setup() -> (AuthKey, AuthKey, types::BindAuthKeyInner, BindContext) {
        let (perm, temp) = (key(1), key(2));
        let inner = types::BindAuthKeyInner {
            nonce: 0x1234_5678,
            temp_auth_key_id: temp.id() as i64,
            perm_auth_key_id: perm.id() as i64,
            temp_session_id: -77,
            expires_at: 1_700_086_400,
        };
        let context = BindContext {
            temp_auth_key_id: temp.id() as i64,
            session_id: -77,
            msg_id: 0x6000_0000_0000_0004,
        };
        (perm, temp, inner, context)
    }

    fn request<'a>(inner: &types::BindAuthKeyInner, message: &'a [u8]) -> BindRequest<'a> {
        BindRequest {
            perm_auth_key_id: inner.perm_auth_key_id,
            nonce: inner.nonce,
            expires_at: inner.expires_at,
            encrypted_message: message,
        }
    }

    #[test]
    fn binding_round_trips() {
        let (perm, _temp, inner, context) = setup();
        let message = encrypt_binding(&perm, &inner, context.msg_id, &mut StdRng::seed_from_u64(5));
        assert_eq!(message.len(), HEADER_LEN + 80);
        assert_eq!(
            verify_binding(&perm, &request(&inner, &message), &context),
            Ok(inner)
        );
    }

    #[test]
    fn mismatches_are_rejected() {
        let (perm, temp, inner, context) = setup();
        let message = encrypt_binding(&perm, &inner, context.msg_id, &mut StdRng::seed_from_u64(6));
        let req = request(&inner, &message);
        let other_session = BindContext {
            session_id: 1,
            ..context
        };
        assert_eq!(
            verify_binding(&perm, &req, &other_session),
            Err(BindError::FieldMismatch("temp_session_id"))
        );
        let other_msg = BindContext {
            msg_id: 8,
            ..context
        };
        assert_eq!(
            verify_binding(&perm, &req, &other_msg),
            Err(BindError::FieldMismatch("msg_id"))
        );
        let other_nonce = BindRequest { nonce: 1, ..req };
        assert_eq!(
            verify_binding(&perm, &other_nonce, &context),
            Err(BindError::FieldMismatch("nonce"))
        );
        assert!(matches!(
            verify_binding(&temp, &req, &context),
            Err(BindError::WrongPermKey(_))
        ));
        let mut tampered = message.clone();
        tampered[40] ^= 1;
        assert_eq!(
            verify_binding(&perm, &request(&inner, &tampered), &context),
            Err(BindError::MsgKeyMismatch)
        );
        for len in [0, 7, 24, 25, 40, 56] {
            assert!(verify_binding(&perm, &request(&inner, &message[..len]), &context).is_err());
        }
    }
}
