//! Hostile-input tests of the server handshake (core.telegram.org/mtproto/auth_key and
//! /mtproto/security_guidelines): a scripted client that knows its own new_nonce sends
//! requests with one field wrong at a time, out of order, or as random bytes.

use std::sync::Arc;

use echo_tl::functions::{ReqDhParams, ReqPq, SetClientDhParams};
use echo_tl::{enums, types, Deserializable, Serializable};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

use super::dh::{self, DhConfig};
use super::pq;
use super::rsa_schemes::encrypt_rsa_pad;
use super::tests::{server_key, Check, NOW};
use super::*;
use crate::rsa_key::ServerRsaKey;

/// A scripted client for hostile tests: it knows its new_nonce, so it can encrypt anything.
struct Script {
    server: ServerHandshake,
    rng: StdRng,
    nonce: [u8; 16],
    server_nonce: [u8; 16],
    new_nonce: [u8; 32],
    p: u64,
    q: u64,
    fingerprint: i64,
    key: Arc<ServerRsaKey>,
}

impl Script {
    fn new() -> Self {
        let key = server_key();
        let mut server = ServerHandshake::new(key.clone(), DhConfig::telegram());
        let mut rng = StdRng::seed_from_u64(42);
        let nonce = [0x11; 16];
        let out = server
            .handle(&ReqPq { nonce }.to_bytes(), &mut rng, NOW)
            .unwrap();
        let enums::ResPq::Pq(res) = enums::ResPq::from_bytes(out.response()).unwrap();
        let (p, q) = pq::factorize_pq(pq::from_be(&res.pq).unwrap()).unwrap();
        Self {
            server,
            rng,
            nonce,
            server_nonce: res.server_nonce,
            new_nonce: [0x22; 32],
            p,
            q,
            fingerprint: key.fingerprint(),
            key,
        }
    }

    fn inner(&self) -> types::PQInnerDataTemp {
        types::PQInnerDataTemp {
            pq: pq::to_be_minimal(self.p * self.q),
            p: pq::to_be_minimal(self.p),
            q: pq::to_be_minimal(self.q),
            nonce: self.nonce,
            server_nonce: self.server_nonce,
            new_nonce: self.new_nonce,
            expires_in: 600,
        }
    }

    fn req_dh(&mut self, inner: types::PQInnerDataTemp) -> ReqDhParams {
        let data = enums::PQInnerData::Temp(inner).to_bytes();
        let encrypted = encrypt_rsa_pad(self.key.public_key(), &data, &mut self.rng).unwrap();
        ReqDhParams {
            nonce: self.nonce,
            server_nonce: self.server_nonce,
            p: pq::to_be_minimal(self.p),
            q: pq::to_be_minimal(self.q),
            public_key_fingerprint: self.fingerprint,
            encrypted_data: encrypted.to_vec(),
        }
    }

    fn send(&mut self, body: &[u8]) -> Result<HandshakeOutput, HandshakeError> {
        self.server.handle(body, &mut self.rng, NOW)
    }

    /// Runs req_DH_params successfully, then sends a set_client_DH_params with these fields.
    fn client_dh(
        &mut self,
        retry_id: i64,
        g_b: Vec<u8>,
    ) -> Result<HandshakeOutput, HandshakeError> {
        let req = self.req_dh(self.inner()).to_bytes();
        self.send(&req).unwrap();
        let inner = enums::ClientDhInnerData::Data(types::ClientDhInnerData {
            nonce: self.nonce,
            server_nonce: self.server_nonce,
            retry_id,
            g_b,
        })
        .to_bytes();
        let (key, iv) = dh::tmp_aes_key_iv(&self.new_nonce, &self.server_nonce);
        let encrypted_data = dh::seal_with_sha1(&inner, &key, &iv, &mut self.rng);
        let body = SetClientDhParams {
            nonce: self.nonce,
            server_nonce: self.server_nonce,
            encrypted_data,
        }
        .to_bytes();
        self.send(&body)
    }
}

#[test]
fn scripted_client_succeeds_with_valid_values() {
    let mut script = Script::new();
    let g_b = script.new_nonce.repeat(8);
    let HandshakeOutput::Done { key, .. } = script.client_dh(0, g_b).unwrap() else {
        panic!()
    };
    assert_eq!(key.kind, AuthKeyKind::Temp { expires_in: 600 });
}

#[test]
fn req_dh_params_checks() {
    type Tamper = fn(&mut Script, &mut ReqDhParams);
    let cases: [(Tamper, Check); 6] = [
        (
            |_, r| r.nonce[0] ^= 1,
            |e| matches!(e, HandshakeError::NonceMismatch),
        ),
        (
            |_, r| r.server_nonce[0] ^= 1,
            |e| matches!(e, HandshakeError::ServerNonceMismatch),
        ),
        (
            |s, r| r.p = pq::to_be_minimal(s.p + 2),
            |e| matches!(e, HandshakeError::PqMismatch),
        ),
        (
            |_, r| r.q = vec![1; 9],
            |e| matches!(e, HandshakeError::PqMismatch),
        ),
        (
            |_, r| r.public_key_fingerprint ^= 1,
            |e| matches!(e, HandshakeError::UnknownFingerprint(_)),
        ),
        (
            |_, r| r.encrypted_data[77] ^= 4,
            |e| matches!(e, HandshakeError::EncryptedDataInvalid),
        ),
    ];
    for (tamper, expected) in cases {
        let mut script = Script::new();
        let mut req = script.req_dh(script.inner());
        tamper(&mut script, &mut req);
        let err = script.send(&req.to_bytes()).unwrap_err();
        assert!(expected(&err), "{err:?}");
        // A failed handshake stays failed.
        assert!(matches!(
            script.send(&req.to_bytes()),
            Err(HandshakeError::Aborted)
        ));
    }
}

#[test]
fn inner_data_checks() {
    type Tamper = fn(&mut types::PQInnerDataTemp);
    let cases: [(Tamper, Check); 5] = [
        (
            |i| i.nonce[3] ^= 1,
            |e| matches!(e, HandshakeError::NonceMismatch),
        ),
        (
            |i| i.server_nonce[3] ^= 1,
            |e| matches!(e, HandshakeError::ServerNonceMismatch),
        ),
        (
            |i| i.pq.push(0),
            |e| matches!(e, HandshakeError::PqMismatch),
        ),
        (
            |i| std::mem::swap(&mut i.p, &mut i.pq),
            |e| matches!(e, HandshakeError::PqMismatch),
        ),
        (
            |i| i.expires_in = 0,
            |e| matches!(e, HandshakeError::InvalidExpiresIn(0)),
        ),
    ];
    for (tamper, expected) in cases {
        let mut script = Script::new();
        let mut inner = script.inner();
        tamper(&mut inner);
        let req = script.req_dh(inner).to_bytes();
        let err = script.send(&req).unwrap_err();
        assert!(expected(&err), "{err:?}");
    }
}

#[test]
fn g_b_range_is_enforced() {
    let p = DhConfig::telegram().prime().clone();
    let margin: num_bigint::BigUint = num_bigint::BigUint::from(1u32) << (2048u32 - 64);
    for g_b in [
        vec![1],
        (&p - 1u32).to_bytes_be(),
        p.to_bytes_be(),
        margin.to_bytes_be(),
        (&p - &margin).to_bytes_be(),
        vec![0xff; 300],
    ] {
        let err = Script::new().client_dh(0, g_b).unwrap_err();
        assert!(matches!(err, HandshakeError::DhValueOutOfRange), "{err:?}");
    }
}

#[test]
fn retry_id_must_be_zero_at_first() {
    let mut script = Script::new();
    let g_b = script.new_nonce.repeat(8);
    let err = script.client_dh(12, g_b).unwrap_err();
    assert!(matches!(
        err,
        HandshakeError::RetryIdMismatch {
            got: 12,
            expected: 0
        }
    ));
}

#[test]
fn corrupted_client_dh_params_fail_the_hash_check() {
    let mut script = Script::new();
    let req = script.req_dh(script.inner()).to_bytes();
    script.send(&req).unwrap();
    let (key, iv) = dh::tmp_aes_key_iv(&script.new_nonce, &script.server_nonce);
    let inner = enums::ClientDhInnerData::Data(types::ClientDhInnerData {
        nonce: script.nonce,
        server_nonce: script.server_nonce,
        retry_id: 0,
        g_b: script.new_nonce.repeat(8),
    })
    .to_bytes();
    let mut encrypted_data = dh::seal_with_sha1(&inner, &key, &iv, &mut script.rng);
    let last = encrypted_data.len() - 20;
    encrypted_data[last] ^= 1;
    let body = SetClientDhParams {
        nonce: script.nonce,
        server_nonce: script.server_nonce,
        encrypted_data,
    };
    let err = script.send(&body.to_bytes()).unwrap_err();
    assert!(matches!(err, HandshakeError::InnerHashMismatch), "{err:?}");
}

#[test]
fn out_of_order_and_unknown_messages_are_errors() {
    let key = server_key();
    let mut rng = StdRng::seed_from_u64(50);
    let body = SetClientDhParams {
        nonce: [0; 16],
        server_nonce: [0; 16],
        encrypted_data: vec![0; 32],
    };
    let mut server = ServerHandshake::new(key.clone(), DhConfig::telegram());
    assert!(matches!(
        server.handle(&body.to_bytes(), &mut rng, NOW),
        Err(HandshakeError::UnexpectedStep(_))
    ));
    let mut server = ServerHandshake::new(key.clone(), DhConfig::telegram());
    assert!(matches!(
        server.handle(&0x1234_5678u32.to_le_bytes(), &mut rng, NOW),
        Err(HandshakeError::UnexpectedConstructor(0x1234_5678))
    ));
    let mut server = ServerHandshake::new(key, DhConfig::telegram());
    assert!(matches!(
        server.handle(&[], &mut rng, NOW),
        Err(HandshakeError::Tl(_))
    ));
    assert!(server.reject_colliding_key().is_err());
    assert!(ServerHandshake::is_handshake_request(
        &ReqPq { nonce: [0; 16] }.to_bytes()
    ));
    assert!(!ServerHandshake::is_handshake_request(&[1, 2, 3]));
}

/// Random bytes, and valid constructor ids followed by random bytes, in every state: errors
/// only, never a panic.
#[test]
fn garbage_never_panics() {
    let ids = [0xbe7e8ef1u32, 0x60469778, 0xd712e4be, 0xf5045f1f, 0];
    let mut rng = StdRng::seed_from_u64(51);
    for round in 0..90 {
        let mut script = Script::new();
        if round % 3 == 1 {
            let req = script.req_dh(script.inner()).to_bytes();
            script.send(&req).unwrap();
        }
        let len = (rng.next_u32() % 600) as usize;
        let mut body = vec![0u8; len];
        rng.fill_bytes(&mut body);
        if round % 2 == 0 && len >= 4 {
            body[..4].copy_from_slice(&ids[round % ids.len()].to_le_bytes());
        }
        let result = script.send(&body);
        // A random body can only succeed as req_pq(_multi) with 16 random nonce bytes.
        if let Ok(out) = result {
            assert!(enums::ResPq::from_bytes(out.response()).is_ok());
        }
    }
}
