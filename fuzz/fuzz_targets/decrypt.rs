//! Encrypted-message decryption (core.telegram.org/mtproto/description, MTProto 2.0) with a
//! fixed auth key. Byte 0 = 0: the rest is a packet as it came off the wire (the seeds are real
//! encrypted messages, so mutations keep the key id and reach the checks behind it). Otherwise:
//! the rest describes a message (salt, session id, msg_id, seqno, body) that is encrypted and
//! must decrypt to exactly itself.
#![no_main]

use echo_fuzz::fixed_auth_key;
use echo_mtproto::message::{decrypt_client_message, encrypt_client_message, PlainMessage};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;

fn word(data: &[u8], at: usize) -> i64 {
    let mut b = [0u8; 8];
    for (i, byte) in b.iter_mut().enumerate() {
        *byte = data.get(at + i).copied().unwrap_or(0);
    }
    i64::from_le_bytes(b)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let key = fixed_auth_key();
    if mode == 0 {
        let _ = decrypt_client_message(&key, rest);
        return;
    }
    let body = rest.get(28..).unwrap_or_default();
    // The message layer carries whole 4-byte words.
    let body = &body[..body.len() / 4 * 4];
    let msg = PlainMessage {
        salt: word(rest, 0),
        session_id: word(rest, 8),
        msg_id: word(rest, 16),
        seq_no: word(rest, 24) as i32,
        body: body.to_vec(),
    };
    let packet = encrypt_client_message(&key, &msg, &mut rand::rngs::StdRng::seed_from_u64(1));
    let back = decrypt_client_message(&key, &packet).map(|d| d.message);
    assert_eq!(
        back.as_ref().ok(),
        Some(&msg),
        "round trip failed: {back:?}"
    );
});
