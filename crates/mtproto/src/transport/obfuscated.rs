//! The obfuscated2 init header (core.telegram.org/mtproto/mtproto-transports#transport-obfuscation):
//! 64 random-looking bytes whose bytes 8..56 key AES-256-CTR in both directions, with the
//! protocol tag and DC id hidden in the encrypted bytes 56..62. MTProxy secrets are mixed in as
//! key = SHA256(key || secret).

use rand::RngCore;

use super::{ObfuscationInfo, TransportError, TransportKind};
use crate::crypto::{sha256, AesCtr};

pub(super) const HEADER_LEN: usize = 64;
const KEY_RANGE: std::ops::Range<usize> = 8..40;
const IV_RANGE: std::ops::Range<usize> = 40..56;
const TAG_RANGE: std::ops::Range<usize> = 56..60;
const DC_RANGE: std::ops::Range<usize> = 60..62;

const TAG_ABRIDGED: [u8; 4] = [0xef; 4];
const TAG_INTERMEDIATE: [u8; 4] = [0xee; 4];
const TAG_PADDED: [u8; 4] = [0xdd; 4];

/// First words a client header must not start with, so the server cannot mistake it for
/// another protocol: "HEAD", "POST", "GET ", "OPTI", padded/plain intermediate, a TLS record.
const FORBIDDEN_STARTS: [[u8; 4]; 7] = [
    *b"HEAD",
    *b"POST",
    *b"GET ",
    *b"OPTI",
    TAG_PADDED,
    TAG_INTERMEDIATE,
    [0x16, 0x03, 0x01, 0x02],
];

pub(super) fn tag_of(kind: TransportKind) -> Result<[u8; 4], TransportError> {
    match kind {
        TransportKind::Abridged => Ok(TAG_ABRIDGED),
        TransportKind::Intermediate => Ok(TAG_INTERMEDIATE),
        TransportKind::PaddedIntermediate => Ok(TAG_PADDED),
        TransportKind::Full => Err(TransportError::FullCannotBeObfuscated),
    }
}

fn kind_of(tag: &[u8]) -> Option<TransportKind> {
    match tag {
        t if t == TAG_ABRIDGED => Some(TransportKind::Abridged),
        t if t == TAG_INTERMEDIATE => Some(TransportKind::Intermediate),
        t if t == TAG_PADDED => Some(TransportKind::PaddedIntermediate),
        _ => None,
    }
}

/// One direction's cipher from a 48-byte key||iv block, mixing in the secret if any.
fn cipher(key_iv: &[u8; 48], secret: Option<&[u8; 16]>) -> AesCtr {
    let mut key = [0u8; 32];
    key.copy_from_slice(&key_iv[..32]);
    if let Some(secret) = secret {
        key = sha256(&[&key, secret]);
    }
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&key_iv[32..]);
    AesCtr::new(&key, &iv)
}

/// (header[8..56], the same bytes reversed): the client->server and server->client key material.
fn key_blocks(header: &[u8; HEADER_LEN]) -> ([u8; 48], [u8; 48]) {
    let mut forward = [0u8; 48];
    forward.copy_from_slice(&header[KEY_RANGE.start..IV_RANGE.end]);
    let mut backward = forward;
    backward.reverse();
    (forward, backward)
}

/// A header the server recognised: the inner protocol, its ciphers (the decryptor already past
/// the 64 header bytes) and what the header said.
pub(super) struct Accepted {
    pub(super) kind: TransportKind,
    pub(super) info: ObfuscationInfo,
    pub(super) decrypt: AesCtr,
    pub(super) encrypt: AesCtr,
}

/// Tries no secret, then every secret in order; the first key under which bytes 56..60 decrypt
/// to a known tag wins.
pub(super) fn accept(header: &[u8; HEADER_LEN], secrets: &[[u8; 16]]) -> Option<Accepted> {
    let (forward, backward) = key_blocks(header);
    let candidates = std::iter::once((None, None))
        .chain(secrets.iter().enumerate().map(|(i, s)| (Some(i), Some(s))));
    for (secret_index, secret) in candidates {
        let mut decrypt = cipher(&forward, secret);
        let mut plain = *header;
        decrypt.apply(&mut plain);
        let Some(kind) = kind_of(&plain[TAG_RANGE]) else {
            continue;
        };
        let dc_id = i16::from_le_bytes([plain[DC_RANGE.start], plain[DC_RANGE.start + 1]]);
        return Some(Accepted {
            kind,
            info: ObfuscationInfo {
                dc_id,
                secret_index,
            },
            decrypt,
            encrypt: cipher(&backward, secret),
        });
    }
    None
}

/// A client header plus (encryptor, decryptor); the encryptor is already past the header.
pub(super) fn initiate<R: RngCore + ?Sized>(
    kind: TransportKind,
    dc_id: i16,
    secret: Option<&[u8; 16]>,
    rng: &mut R,
) -> Result<([u8; HEADER_LEN], AesCtr, AesCtr), TransportError> {
    let tag = tag_of(kind)?;
    let mut header = [0u8; HEADER_LEN];
    for _ in 0..32 {
        rng.fill_bytes(&mut header);
        if header_is_unambiguous(&header) {
            break;
        }
    }
    if !header_is_unambiguous(&header) {
        // Only a broken rng gets here; patch the two decisive words instead of looping forever.
        header[0] = 0;
        header[4] = 1;
    }
    header[TAG_RANGE].copy_from_slice(&tag);
    header[DC_RANGE].copy_from_slice(&dc_id.to_le_bytes());
    let (forward, backward) = key_blocks(&header);
    let mut encrypt = cipher(&forward, secret);
    let mut encrypted = header;
    encrypt.apply(&mut encrypted);
    // Only the tail (tag, dc, random) travels encrypted; the key material must stay readable.
    header[TAG_RANGE.start..].copy_from_slice(&encrypted[TAG_RANGE.start..]);
    Ok((header, encrypt, cipher(&backward, secret)))
}

fn header_is_unambiguous(header: &[u8; HEADER_LEN]) -> bool {
    header[0] != 0xef
        && !FORBIDDEN_STARTS.iter().any(|start| header[..4] == *start)
        && header[4..8] != [0, 0, 0, 0]
}
