//! Tests of the MTProto 2.0 message codec (core.telegram.org/mtproto/description).

use super::*;
use rand::rngs::StdRng;
use rand::SeedableRng;

// Known-answer data published with the grammers client's MTProto 2.0 tests.
const GRAMMERS_KEY: &str = "5d2e7d65f49ec28bd029a88761ea27b8a4c79f12226525443e7d7c596ef3303530db2107e89aa997c7a0164ab694187adeff156bd6ef7118a1962347753c0e7e89a0354b8ec364f9997e71bc6923fb86e8e43491e010606a6ce845e2fa01940977ef0aa32adf5a97dbf6d428ec0434d717a2d3ad19622cc05887642113c7965ffb862a3e3ccb0ab95addda57f89245dbd76b492348f8e94bd5a7c0e0b84808523cfd1ea80b32fe9ad198bc2e103fceb7d52492ecc0273a28674bc923eee59265ab17a002df1f4aa2c59b819a5e5e1d105ec117336f5c76c6b187037d4b4270cee9cc21071d97e9bca220c6d7b01b998cf2e5cdb9a50ecda1852a36e635690c8e";
const GRAMMERS_SERVER_PACKET: &str = "7a7183c2c10e4f4df945fa9a9abd35e7c3840b61f045304f39674c19c0e209784f50f6226a073529d675c92cbf0bfa8c99a79b3f39c72a5d9a026d431ab7407ca04ecc55187d6c45f17871524edd90cea02ed728e14d7cb18aea2a636158f09459a9437710d894c79f368c4e8164b7647ea98612aefe942c5d92121acb8db02dccceb66d0f8720ac12a06db0582bfd955be34f365118e3bab8cd080ce6b45b28eac56dcd2a29374e";
const GRAMMERS_SERVER_PLAIN: &str = "fc826a02248b28fd60f2c4822443ad6801f0c1c2918b305e0200000058000000dcf8f1730200000001a8c1c2918b305e010000001c0000000809c29ec4fd33ad918b305e18a88ea607ee5816fc826a02248b28fd01ccc1c2918b305e0200000014000000c5737734c4fd33ad918b305e6408300000000000fce66704a3cd8ee9d0ae6fab672c60c04a3f1fd4490e51f6";

fn counting_key() -> AuthKey {
    AuthKey::from_bytes(std::array::from_fn(|i| i as u8))
}

fn sample() -> PlainMessage {
    PlainMessage {
        salt: 0x1122_3344_5566_7788,
        session_id: -42,
        msg_id: 0x5e30_8b91_0000_0004,
        seq_no: 7,
        body: (0u8..40).collect(),
    }
}

#[test]
fn kdf_matches_known_answers() {
    let msg_key: [u8; 16] = std::array::from_fn(|i| i as u8);
    let (k, iv) = derive_aes(&counting_key(), &msg_key, X_CLIENT);
    assert_eq!(
        hex::encode(k),
        "704ed09c8b41668ae8f99d244738f71dbddc44469b6bbd4aa8573dd042bd059e"
    );
    assert_eq!(
        hex::encode(iv),
        "4d266000a550edabbf4c7ce40fd0043cc92230184cd317a5cc9c2482fd3b9318"
    );
    let (k, iv) = derive_aes(&counting_key(), &msg_key, X_SERVER);
    assert_eq!(
        hex::encode(k),
        "217725799b245806458174a1fcfbc883906807b15033fdd0ea2b4d69cf9c364e"
    );
    assert_eq!(
        hex::encode(iv),
        "669a6538917a4fa56ca32360a431c9160be4ad887140980dab91ce7bdc47ffbc"
    );
}

#[test]
fn client_encryption_matches_known_answer() {
    let mut plain = b"Hello, world! This data should remain secure!".to_vec();
    plain.extend_from_slice(&[0u8; 19]);
    let packet = encrypt_padded(&counting_key(), X_CLIENT, &plain);
    assert_eq!(hex::encode(packet), "32d1586ea457dfc8a81729d46db54019a2bfd7f744f9b96c4f716cfdc4477db2a2c15f6ddb85235fb9552f1d8407c6aaea00cc844c5a1bf6ac44b79b5edc2a23868b3d6073a590992c0f2975243d563ea180d218ee757c9a");
}

#[test]
fn server_decryption_matches_known_answer() {
    let key = AuthKey::from_bytes(hex::decode(GRAMMERS_KEY).unwrap().try_into().unwrap());
    let packet = hex::decode(GRAMMERS_SERVER_PACKET).unwrap();
    let plain = hex::decode(GRAMMERS_SERVER_PLAIN).unwrap();
    let msg = decrypt_server_message(&key, &packet).unwrap();
    assert_eq!(msg.salt.to_le_bytes(), plain[0..8]);
    assert_eq!(msg.session_id.to_le_bytes(), plain[8..16]);
    assert_eq!(msg.msg_id.to_le_bytes(), plain[16..24]);
    assert_eq!(msg.seq_no, 2);
    assert_eq!(msg.body, plain[32..32 + 88]);
    // The same packet is not a valid client message (x differs).
    assert_eq!(
        decrypt_client_message(&key, &packet),
        Err(MessageError::MsgKeyMismatch)
    );
}

#[test]
fn roundtrip_both_directions_with_quick_ack() {
    let key = counting_key();
    let mut rng = StdRng::seed_from_u64(1);
    for body_len in [0usize, 4, 12, 16, 40, 1000] {
        let msg = PlainMessage {
            body: vec![0xab; body_len],
            ..sample()
        };
        let packet = encrypt_client_message(&key, &msg, &mut rng);
        assert_eq!((packet.len() - 24) % 16, 0);
        let decrypted = decrypt_client_message(&key, &packet).unwrap();
        assert_eq!(decrypted.message, msg);
        assert!(decrypted.quick_ack_token & 0x8000_0000 != 0);
        let aes = derive_aes(&key, packet[8..24].try_into().unwrap(), X_CLIENT);
        let plain = aes_ige_decrypt(&packet[24..], &aes.0, &aes.1).unwrap();
        assert_eq!(quick_ack_token(&key, &plain), decrypted.quick_ack_token);

        let reply = encrypt_server_message(&key, &msg, &mut rng);
        assert_eq!(decrypt_server_message(&key, &reply).unwrap(), msg);
    }
}

#[test]
fn trailing_junk_below_a_block_is_ignored() {
    let key = counting_key();
    let mut packet = encrypt_client_message(&key, &sample(), &mut StdRng::seed_from_u64(2));
    packet.extend_from_slice(&[9u8; 15]);
    assert_eq!(
        decrypt_client_message(&key, &packet).unwrap().message,
        sample()
    );
}

#[test]
fn explicit_padding_is_validated() {
    let key = counting_key();
    let msg = sample(); // 32 + 40 = 72 bytes: 24 bytes of padding reach 96.
    assert_eq!(padding_len(40), 24);
    assert_eq!(padding_len(0), 16);
    assert_eq!(padding_len(4), 12);
    assert!(encrypt_server_message_with_padding(&key, &msg, &[0; 24]).is_ok());
    assert!(encrypt_server_message_with_padding(&key, &msg, &[0; 24 + 1008]).is_err());
    assert_eq!(
        encrypt_server_message_with_padding(&key, &msg, &[0; 8]),
        Err(MessageError::BadPadding(8))
    );
    assert!(encrypt_server_message_with_padding(&key, &msg, &[0; 25]).is_err());
}

/// Encrypts a hand-made plaintext so that the length checks after the msg_key check fire.
fn forged(key: &AuthKey, declared: u32, total: usize) -> Vec<u8> {
    let mut plain = vec![0u8; total];
    plain[28..32].copy_from_slice(&declared.to_le_bytes());
    encrypt_padded(key, X_CLIENT, &plain)
}

#[test]
fn every_check_has_its_own_error() {
    let key = counting_key();
    let other = AuthKey::from_bytes([7u8; 256]);
    let good = encrypt_client_message(&key, &sample(), &mut StdRng::seed_from_u64(3));
    assert_eq!(
        decrypt_client_message(&key, &good[..7]),
        Err(MessageError::TooShort(7))
    );
    assert_eq!(
        decrypt_client_message(&key, &good[..60]),
        Err(MessageError::TooShort(60))
    );
    assert!(matches!(
        decrypt_client_message(&other, &good),
        Err(MessageError::AuthKeyIdMismatch { .. })
    ));
    let mut tampered = good.clone();
    tampered[40] ^= 1;
    assert_eq!(
        decrypt_client_message(&key, &tampered),
        Err(MessageError::MsgKeyMismatch)
    );
    let mut tampered = good;
    tampered[10] ^= 1;
    assert_eq!(
        decrypt_client_message(&key, &tampered),
        Err(MessageError::MsgKeyMismatch)
    );

    let check = |declared, total| decrypt_client_message(&key, &forged(&key, declared, total));
    assert_eq!(check(6, 64), Err(MessageError::LengthNotAligned(6)));
    assert_eq!(
        check(36, 64),
        Err(MessageError::LengthTooLarge {
            declared: 36,
            available: 32
        })
    );
    assert_eq!(check(24, 64), Err(MessageError::BadPadding(8)));
    assert_eq!(check(0, 32 + 1040), Err(MessageError::BadPadding(1040)));
    assert_eq!(
        check(u32::MAX - 3, 64),
        Err(MessageError::LengthTooLarge {
            declared: u32::MAX - 3,
            available: 32
        })
    );
    assert!(check(20, 64).is_ok());
}

#[test]
fn garbage_never_panics() {
    let key = counting_key();
    let mut rng = StdRng::seed_from_u64(4);
    for len in 0..200 {
        let mut packet = vec![0u8; len];
        rng.fill_bytes(&mut packet);
        if len >= 8 {
            packet[..8].copy_from_slice(&key.id().to_le_bytes());
        }
        assert!(decrypt_client_message(&key, &packet).is_err());
        let _ = parse_plain(&packet);
    }
}

#[test]
fn plain_messages() {
    let packet = build_plain(0x1234, b"abcdefgh");
    assert_eq!(packet.len(), 28);
    assert_eq!(auth_key_id(&packet), Ok(0));
    assert_eq!(parse_plain(&packet), Ok((0x1234, &b"abcdefgh"[..])));
    let mut padded = packet.clone();
    padded.extend_from_slice(&[1; 15]);
    assert_eq!(parse_plain(&padded), Ok((0x1234, &b"abcdefgh"[..])));
    padded.push(1);
    assert!(matches!(
        parse_plain(&padded),
        Err(MessageError::PlainLengthMismatch { .. })
    ));
    assert!(matches!(
        parse_plain(&packet[..27]),
        Err(MessageError::PlainLengthMismatch { .. })
    ));
    assert_eq!(parse_plain(&packet[..19]), Err(MessageError::TooShort(19)));
    let mut keyed = packet;
    keyed[0] = 1;
    assert_eq!(parse_plain(&keyed), Err(MessageError::NotPlain(1)));
}
