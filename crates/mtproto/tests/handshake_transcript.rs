//! Regression test for the auth-key handshake (core.telegram.org/mtproto/auth_key): with fixed
//! seeds, a fixed clock and the fixture RSA key, every message both sides exchange must stay
//! byte-identical to the transcripts stored in tests/data/. Set ECHO_UPDATE_TRANSCRIPTS=1 to
//! rewrite them after an intended change. Also prints what a server handshake costs.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use echo_mtproto::handshake::{
    ClientHandshake, ClientOptions, ClientStep, DhConfig, HandshakeOutput, RsaScheme,
    ServerHandshake,
};
use echo_mtproto::rsa_key::ServerRsaKey;
use rand::rngs::StdRng;
use rand::SeedableRng;

const NOW: i64 = 1_700_000_000;

fn server_key() -> Arc<ServerRsaKey> {
    Arc::new(ServerRsaKey::insecure_from_seed(1).unwrap())
}

/// Runs one handshake and returns its transcript: "C <hex>" for client messages, "S <hex>" for
/// server messages, then the agreed key id and salt; plus the time spent inside the server.
fn transcript(options: ClientOptions, seed: u64) -> (String, Duration) {
    let key = server_key();
    let mut client = ClientHandshake::new(vec![key.public_key().clone()], options);
    let mut server = ServerHandshake::new(key, DhConfig::telegram());
    let mut client_rng = StdRng::seed_from_u64(seed);
    let mut server_rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let mut lines = Vec::new();
    let mut server_time = Duration::ZERO;
    let mut request = client.start(&mut client_rng);
    loop {
        lines.push(format!("C {}", hex::encode(&request)));
        let started = Instant::now();
        let output = server.handle(&request, &mut server_rng, NOW).unwrap();
        server_time += started.elapsed();
        lines.push(format!("S {}", hex::encode(output.response())));
        let step = client
            .handle(output.response(), &mut client_rng, NOW)
            .unwrap();
        match (output, step) {
            (HandshakeOutput::Reply(_), ClientStep::Send(next)) => request = next,
            (HandshakeOutput::Done { key, .. }, ClientStep::Done(client_key)) => {
                assert_eq!(key.auth_key, client_key.auth_key);
                assert_eq!(key.first_server_salt, client_key.first_server_salt);
                lines.push(format!(
                    "K {:016x} {:016x}",
                    key.auth_key.id(),
                    key.first_server_salt as u64
                ));
                return (lines.join("\n") + "\n", server_time);
            }
            _ => panic!("client and server disagree about the end of the handshake"),
        }
    }
}

fn check_against_file(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    if std::env::var_os("ECHO_UPDATE_TRANSCRIPTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with ECHO_UPDATE_TRANSCRIPTS=1 once)",
            path.display()
        )
    });
    for (i, (want, got)) in expected.lines().zip(actual.lines()).enumerate() {
        if let Some(at) = want.bytes().zip(got.bytes()).position(|(w, g)| w != g) {
            panic!("{name}: line {} differs from column {at} on", i + 1);
        }
        assert_eq!(
            got.len(),
            want.len(),
            "{name}: line {} length differs",
            i + 1
        );
    }
    assert_eq!(
        expected.lines().count(),
        actual.lines().count(),
        "{name}: line count differs"
    );
}

#[test]
fn rsa_pad_temp_dc_transcript_is_stable() {
    let options = ClientOptions {
        scheme: RsaScheme::RsaPad,
        dc: Some(2),
        temp_expires_in: Some(86_400),
    };
    let (text, _) = transcript(options, 2024);
    check_against_file("handshake_rsa_pad_temp_dc.txt", &text);
}

#[test]
fn legacy_transcript_is_stable() {
    let options = ClientOptions {
        scheme: RsaScheme::Legacy,
        dc: None,
        temp_expires_in: None,
    };
    let (text, _) = transcript(options, 1917);
    check_against_file("handshake_legacy.txt", &text);
}

/// Not an assertion: prints the server's share of a handshake (run with --release --nocapture).
#[test]
fn report_server_handshake_cost() {
    let rounds = if cfg!(debug_assertions) { 2 } else { 50 };
    let mut total = Duration::ZERO;
    for seed in 0..rounds {
        total += transcript(ClientOptions::default(), seed).1;
    }
    eprintln!(
        "server handshake cost: {:?} per handshake (mean of {rounds}, {} build)",
        total / rounds as u32,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
}
