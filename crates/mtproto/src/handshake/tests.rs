//! End-to-end handshake tests: client and server state machines talking in-process with seeded
//! RNGs and a fixed clock, and the client's own checks against a misbehaving server.

use std::sync::Arc;

use echo_tl::functions::ReqPq;
use echo_tl::{enums, Deserializable, Serializable};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::dh::DhConfig;
use super::pq;
use super::*;
use crate::rsa_key::ServerRsaKey;

pub(super) const NOW: i64 = 1_700_000_000;

/// Whether an error is the one a negative test expects.
pub(super) type Check = fn(&HandshakeError) -> bool;

pub(super) fn server_key() -> Arc<ServerRsaKey> {
    Arc::new(ServerRsaKey::test_key().clone())
}

fn new_pair(options: ClientOptions) -> (ClientHandshake, ServerHandshake) {
    let key = server_key();
    let client = ClientHandshake::new(vec![key.public_key().clone()], options);
    (client, ServerHandshake::new(key, DhConfig::telegram()))
}

/// Runs a whole handshake; the client's clock is 5 s behind the server's.
fn run(options: ClientOptions, seed: u64) -> (ClientAuthKey, NewAuthKey) {
    let (mut client, mut server) = new_pair(options);
    let mut client_rng = StdRng::seed_from_u64(seed);
    let mut server_rng = StdRng::seed_from_u64(seed + 1000);
    let mut request = client.start(&mut client_rng);
    loop {
        match server.handle(&request, &mut server_rng, NOW).unwrap() {
            HandshakeOutput::Reply(response) => {
                match client.handle(&response, &mut client_rng, NOW - 5).unwrap() {
                    ClientStep::Send(next) => request = next,
                    ClientStep::Done(_) => panic!("client finished before the server"),
                }
            }
            HandshakeOutput::Done { response, key } => {
                let ClientStep::Done(client_key) =
                    client.handle(&response, &mut client_rng, NOW - 5).unwrap()
                else {
                    panic!("client did not finish");
                };
                assert!(server.is_finished());
                return (client_key, key);
            }
        }
    }
}

fn assert_agree(client: &ClientAuthKey, server: &NewAuthKey) {
    assert_eq!(client.auth_key, server.auth_key);
    assert_eq!(client.first_server_salt, server.first_server_salt);
    assert_eq!(client.kind, server.kind);
    assert_eq!(client.time_offset, 5);
}

#[test]
fn legacy_scheme_with_plain_inner_data() {
    let options = ClientOptions {
        scheme: RsaScheme::Legacy,
        dc: None,
        temp_expires_in: None,
    };
    let (client, server) = run(options, 1);
    assert_agree(&client, &server);
    assert_eq!((server.kind, server.dc), (AuthKeyKind::Perm, None));
}

#[test]
fn rsa_pad_with_dc_inner_data() {
    let options = ClientOptions {
        scheme: RsaScheme::RsaPad,
        dc: Some(2),
        temp_expires_in: None,
    };
    let (client, server) = run(options, 2);
    assert_agree(&client, &server);
    assert_eq!((server.kind, server.dc), (AuthKeyKind::Perm, Some(2)));
}

#[test]
fn rsa_pad_with_temp_dc_inner_data() {
    let options = ClientOptions {
        scheme: RsaScheme::RsaPad,
        dc: Some(-2),
        temp_expires_in: Some(86_400),
    };
    let (client, server) = run(options, 3);
    assert_agree(&client, &server);
    assert_eq!(server.kind, AuthKeyKind::Temp { expires_in: 86_400 });
    assert_eq!(server.dc, Some(-2));
}

#[test]
fn legacy_scheme_with_temp_inner_data() {
    let options = ClientOptions {
        scheme: RsaScheme::Legacy,
        dc: None,
        temp_expires_in: Some(3600),
    };
    let (client, server) = run(options, 4);
    assert_agree(&client, &server);
    assert_eq!(
        (server.kind, server.dc),
        (AuthKeyKind::Temp { expires_in: 3600 }, None)
    );
}

#[test]
fn different_seeds_give_different_keys() {
    let (a, _) = run(ClientOptions::default(), 5);
    let (b, _) = run(ClientOptions::default(), 6);
    assert_ne!(a.auth_key, b.auth_key);
}

#[test]
fn old_req_pq_is_answered_too() {
    let (_, mut server) = new_pair(ClientOptions::default());
    let mut rng = StdRng::seed_from_u64(7);
    let out = server
        .handle(&ReqPq { nonce: [7; 16] }.to_bytes(), &mut rng, NOW)
        .unwrap();
    let enums::ResPq::Pq(res) = enums::ResPq::from_bytes(out.response()).unwrap();
    assert_eq!(res.nonce, [7; 16]);
    assert_eq!(
        res.server_public_key_fingerprints,
        vec![server_key().fingerprint()]
    );
    let (p, q) = pq::factorize_pq(pq::from_be(&res.pq).unwrap()).unwrap();
    assert!(p < q && p > 1 << 29 && q < 1 << 31);
}

#[test]
fn dh_gen_retry_after_a_key_collision() {
    let (mut client, mut server) = new_pair(ClientOptions::default());
    let (mut crng, mut srng) = (StdRng::seed_from_u64(8), StdRng::seed_from_u64(9));
    let mut request = client.start(&mut crng);
    // resPQ, then server_DH_params.
    for _ in 0..2 {
        let out = server.handle(&request, &mut srng, NOW).unwrap();
        let ClientStep::Send(next) = client.handle(out.response(), &mut crng, NOW).unwrap() else {
            panic!("client finished early")
        };
        request = next;
    }
    let HandshakeOutput::Done { key: first, .. } = server.handle(&request, &mut srng, NOW).unwrap()
    else {
        panic!("server did not finish")
    };
    // The caller found the key id taken: the client must retry with a new g_b.
    let retry = server.reject_colliding_key().unwrap();
    assert!(!server.is_finished());
    let ClientStep::Send(request) = client.handle(&retry, &mut crng, NOW).unwrap() else {
        panic!("client did not retry")
    };
    let HandshakeOutput::Done {
        response,
        key: second,
    } = server.handle(&request, &mut srng, NOW).unwrap()
    else {
        panic!("server did not finish the retry")
    };
    assert_ne!(first.auth_key, second.auth_key);
    let ClientStep::Done(client_key) = client.handle(&response, &mut crng, NOW).unwrap() else {
        panic!("client did not finish")
    };
    assert_eq!(client_key.auth_key, second.auth_key);
}

#[test]
fn client_rejects_a_forged_server() {
    let (mut client, mut server) = new_pair(ClientOptions::default());
    let (mut crng, mut srng) = (StdRng::seed_from_u64(60), StdRng::seed_from_u64(61));
    let request = client.start(&mut crng);
    let mut response = server
        .handle(&request, &mut srng, NOW)
        .unwrap()
        .response()
        .to_vec();
    response[4] ^= 1; // the echoed nonce
    assert!(matches!(
        client.handle(&response, &mut crng, NOW),
        Err(HandshakeError::NonceMismatch)
    ));

    // A tampered encrypted answer fails the SHA1 check.
    let (mut client, mut server) = new_pair(ClientOptions::default());
    let request = client.start(&mut crng);
    let response = server.handle(&request, &mut srng, NOW).unwrap();
    let ClientStep::Send(request) = client.handle(response.response(), &mut crng, NOW).unwrap()
    else {
        panic!()
    };
    let mut response = server
        .handle(&request, &mut srng, NOW)
        .unwrap()
        .response()
        .to_vec();
    let last = response.len() - 30;
    response[last] ^= 1;
    assert!(matches!(
        client.handle(&response, &mut crng, NOW),
        Err(HandshakeError::InnerHashMismatch)
    ));
}

#[test]
fn client_rejects_an_untrusted_dh_group() {
    // g = 4 meets its (empty) generator condition, but this 2048-bit number is composite.
    let mut composite = [0xabu8; 256];
    composite[255] = 0xad;
    let key = server_key();
    let mut server = ServerHandshake::new(key.clone(), DhConfig::new(4, &composite).unwrap());
    let mut client = ClientHandshake::new(vec![key.public_key().clone()], ClientOptions::default());
    let (mut crng, mut srng) = (StdRng::seed_from_u64(70), StdRng::seed_from_u64(71));
    let request = client.start(&mut crng);
    let response = server.handle(&request, &mut srng, NOW).unwrap();
    let ClientStep::Send(request) = client.handle(response.response(), &mut crng, NOW).unwrap()
    else {
        panic!()
    };
    let response = server.handle(&request, &mut srng, NOW).unwrap();
    assert!(matches!(
        client.handle(response.response(), &mut crng, NOW),
        Err(HandshakeError::UntrustedDhGroup)
    ));
}

#[test]
fn client_refuses_unknown_server_keys() {
    let (_, mut server) = new_pair(ClientOptions::default());
    let mut client = ClientHandshake::new(Vec::new(), ClientOptions::default());
    let mut rng = StdRng::seed_from_u64(80);
    let request = client.start(&mut rng);
    let response = server.handle(&request, &mut rng, NOW).unwrap();
    assert!(matches!(
        client.handle(response.response(), &mut rng, NOW),
        Err(HandshakeError::NoKnownServerKey)
    ));
}
