//! `echo-bench fuzz-seeds DIR`: writes the seed corpora of the fuzz targets (fuzz/) from real
//! encoded messages: transport streams of every kind, calls at every layer, encrypted messages
//! under the fixed key, and a whole recorded handshake. The fixtures below must match
//! fuzz/src/lib.rs, or the handshake and decryption seeds stop replaying past their first step.

use std::path::Path;

use anyhow::anyhow;
use echo_mtproto::crypto::AuthKey;
use echo_mtproto::handshake::{
    ClientHandshake, ClientOptions, ClientStep, DhConfig, HandshakeOutput, RsaScheme,
    ServerHandshake,
};
use echo_mtproto::message::{build_plain, encrypt_client_message, PlainMessage};
use echo_mtproto::rsa_key::ServerRsaKey;
use echo_mtproto::transport::{ClientObfuscation, ClientTransport, TransportKind};
use echo_tl::{enums, functions, Blob, Serializable};
use rand::SeedableRng;

use crate::tl_util::send_message;

const PROXY_SECRET: [u8; 16] = [0x11; 16];
const RSA_KEY_SEED: u64 = 1;
const SERVER_RNG_SEED: u64 = 0;
const NOW: i64 = 1_700_000_000;
const LAYERS: [i32; 3] = [220, 229, 230];

fn fixed_auth_key() -> AuthKey {
    let mut data = [0u8; 256];
    for (i, b) in data.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(7).wrapping_add(3);
    }
    AuthKey::from_bytes(data)
}

/// Calls a client sends, encoded in the newest layer.
fn sample_calls() -> Vec<Vec<u8>> {
    let get_config = functions::help::GetConfig {}.to_bytes();
    let init = functions::InvokeWithLayer {
        layer: echo_tl::LAYER,
        query: functions::InitConnection {
            api_id: 4,
            device_model: "fuzz".into(),
            system_version: "linux".into(),
            app_version: "1".into(),
            system_lang_code: "en".into(),
            lang_pack: "".into(),
            lang_code: "en".into(),
            proxy: None,
            params: None,
            query: Blob(get_config.clone()),
        },
    }
    .to_bytes();
    vec![
        init,
        get_config,
        send_message(enums::InputPeer::PeerSelf, "hello".into(), 42),
        functions::updates::GetDifference {
            pts: 10,
            pts_limit: None,
            pts_total_limit: Some(100),
            date: 1,
            qts: 0,
            qts_limit: None,
        }
        .to_bytes(),
        functions::messages::GetHistory {
            peer: enums::InputPeer::PeerSelf,
            offset_id: 0,
            offset_date: 0,
            add_offset: 0,
            limit: 20,
            max_id: 0,
            min_id: 0,
            hash: 0,
        }
        .to_bytes(),
    ]
}

fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let d = dir.join(target);
    std::fs::create_dir_all(&d)?;
    std::fs::write(d.join(name), bytes)?;
    Ok(())
}

/// A real handshake against the fixture server, as `[u16 len][body]` records.
fn handshake_transcript(scheme: RsaScheme, temp: bool) -> anyhow::Result<Vec<u8>> {
    let key = std::sync::Arc::new(
        ServerRsaKey::insecure_from_seed(RSA_KEY_SEED).map_err(|e| anyhow!("{e}"))?,
    );
    let mut server = ServerHandshake::new(key.clone(), DhConfig::telegram());
    let mut server_rng = rand::rngs::StdRng::seed_from_u64(SERVER_RNG_SEED);
    let mut client_rng = rand::rngs::StdRng::seed_from_u64(2);
    let options = ClientOptions {
        scheme,
        dc: Some(2),
        temp_expires_in: temp.then_some(3600),
    };
    let mut client = ClientHandshake::new(vec![key.public_key().clone()], options);
    let mut request = client.start(&mut client_rng);
    let mut out = Vec::new();
    for _ in 0..8 {
        let len = u16::try_from(request.len())?;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&request);
        let reply = server
            .handle(&request, &mut server_rng, NOW)
            .map_err(|e| anyhow!("server: {e}"))?;
        let done = matches!(reply, HandshakeOutput::Done { .. });
        match client
            .handle(reply.response(), &mut client_rng, NOW)
            .map_err(|e| anyhow!("client: {e}"))?
        {
            ClientStep::Send(next) => request = next,
            ClientStep::Done(_) => return Ok(out),
        }
        if done {
            break;
        }
    }
    Err(anyhow!("the handshake did not finish"))
}

pub fn write_all(dir: &Path) -> anyhow::Result<usize> {
    let mut written = 0;
    let calls = sample_calls();
    let key = fixed_auth_key();

    // Encrypted packets: the wire form every transport carries.
    let mut packets = vec![build_plain(
        NOW << 32,
        &functions::ReqPqMulti { nonce: [7; 16] }.to_bytes(),
    )];
    for (i, call) in calls.iter().enumerate() {
        let msg = PlainMessage {
            salt: 1,
            session_id: 2,
            msg_id: (NOW << 32) + 4 * i as i64,
            seq_no: 1,
            body: call.clone(),
        };
        let packet =
            encrypt_client_message(&key, &msg, &mut rand::rngs::StdRng::seed_from_u64(i as u64));
        let mut seed = vec![0u8];
        seed.extend_from_slice(&packet);
        write(dir, "decrypt", &format!("packet-{i}"), &seed)?;
        let mut plain = vec![1u8];
        plain.extend_from_slice(&msg.salt.to_le_bytes());
        plain.extend_from_slice(&msg.session_id.to_le_bytes());
        plain.extend_from_slice(&msg.msg_id.to_le_bytes());
        plain.extend_from_slice(&i64::from(msg.seq_no).to_le_bytes());
        plain.extend_from_slice(call);
        write(dir, "decrypt", &format!("plain-{i}"), &plain)?;
        packets.push(packet);
        written += 2;
    }

    // Transport streams: every kind, plain and obfuscated (with and without the secret).
    let kinds = [
        ("abridged", TransportKind::Abridged),
        ("intermediate", TransportKind::Intermediate),
        ("padded", TransportKind::PaddedIntermediate),
        ("full", TransportKind::Full),
    ];
    for (name, kind) in kinds {
        let obfuscations: Vec<(&str, Option<ClientObfuscation>)> = if kind == TransportKind::Full {
            vec![("plain", None)]
        } else {
            vec![
                ("plain", None),
                (
                    "obf",
                    Some(ClientObfuscation {
                        secret: None,
                        dc_id: 2,
                    }),
                ),
                (
                    "obf-secret",
                    Some(ClientObfuscation {
                        secret: Some(PROXY_SECRET),
                        dc_id: 2,
                    }),
                ),
            ]
        };
        for (label, obf) in obfuscations {
            let mut rng = rand::rngs::StdRng::seed_from_u64(3);
            let mut transport =
                ClientTransport::new(kind, obf, &mut rng).map_err(|e| anyhow!("transport: {e}"))?;
            // Chunk size 0: everything in one read; 7: a few bytes at a time.
            for chunk in [0u8, 7] {
                let mut stream = vec![chunk];
                if chunk == 7 {
                    // A fresh transport, so the stream starts with its tag again.
                    transport = ClientTransport::new(kind, obf, &mut rng)
                        .map_err(|e| anyhow!("transport: {e}"))?;
                }
                for p in &packets {
                    transport
                        .encode_packet(p, false, &mut stream)
                        .map_err(|e| anyhow!("framing: {e}"))?;
                }
                write(
                    dir,
                    "transport",
                    &format!("{name}-{label}-{chunk}"),
                    &stream,
                )?;
                written += 1;
            }
        }
    }

    // Calls at every layer, encoded as a client of that layer sends them.
    let layers = echo_tl::layers::LayerSet::embedded().map_err(|e| anyhow!("{e}"))?;
    for (li, layer) in LAYERS.iter().enumerate() {
        for (ci, call) in calls.iter().enumerate() {
            let Ok(encoded) = layers.request_to_layer(*layer, call) else {
                continue;
            };
            let mut seed = vec![li as u8];
            seed.extend_from_slice(&encoded);
            write(dir, "tl_layers", &format!("layer{layer}-{ci}"), &seed)?;
            written += 1;
        }
    }

    // Whole handshakes: both RSA schemes, permanent and temporary keys.
    for (name, scheme, temp) in [
        ("rsa-pad-perm", RsaScheme::RsaPad, false),
        ("rsa-pad-temp", RsaScheme::RsaPad, true),
        ("legacy-perm", RsaScheme::Legacy, false),
    ] {
        write(dir, "handshake", name, &handshake_transcript(scheme, temp)?)?;
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The handshake seed replays to the end against a server set up as the fuzz target does.
    #[test]
    fn handshake_transcript_replays_in_the_fuzz_harness_setup() {
        let transcript = handshake_transcript(RsaScheme::RsaPad, false).unwrap();
        let key = std::sync::Arc::new(ServerRsaKey::insecure_from_seed(RSA_KEY_SEED).unwrap());
        let mut server = ServerHandshake::new(key, DhConfig::telegram());
        let mut rng = rand::rngs::StdRng::seed_from_u64(SERVER_RNG_SEED);
        let mut rest = &transcript[..];
        while rest.len() >= 2 {
            let len = usize::from(u16::from_le_bytes([rest[0], rest[1]]));
            let (body, tail) = rest[2..].split_at(len);
            server.handle(body, &mut rng, NOW).unwrap();
            rest = tail;
        }
        assert!(server.is_finished());
    }

    #[test]
    fn fixed_key_matches_the_fuzz_fixture() {
        let key = fixed_auth_key();
        assert_eq!(key.data()[0], 3);
        assert_eq!(key.data()[1], 10);
        assert_eq!(key.data()[255], 255u8.wrapping_mul(7).wrapping_add(3));
    }
}
