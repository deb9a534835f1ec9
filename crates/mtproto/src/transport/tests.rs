//! Round trips of every transport (plain, obfuscated, obfuscated with an MTProxy secret) between
//! `ClientTransport` and `ServerTransport`, plus the failure cases of
//! core.telegram.org/mtproto/mtproto-transports.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};

use super::*;
use crate::crypto::{sha256, AesCtr};

const KINDS: [TransportKind; 4] = [
    TransportKind::Abridged,
    TransportKind::Intermediate,
    TransportKind::PaddedIntermediate,
    TransportKind::Full,
];
const SECRETS: [[u8; 16]; 3] = [[1; 16], [2; 16], [3; 16]];

fn new_server() -> ServerTransport {
    let config = TransportConfig {
        secrets: SECRETS.to_vec(),
    };
    ServerTransport::new(Arc::new(config), 7)
}

fn payload(len: usize, fill: u8) -> Vec<u8> {
    (0..len).map(|i| fill.wrapping_add(i as u8)).collect()
}

/// Every combination the server must accept: (kind, obfuscation).
fn setups() -> Vec<(TransportKind, Option<ClientObfuscation>)> {
    let mut all = Vec::new();
    for kind in KINDS {
        all.push((kind, None));
        if kind != TransportKind::Full {
            all.push((
                kind,
                Some(ClientObfuscation {
                    secret: None,
                    dc_id: 2,
                }),
            ));
            let secret = Some(SECRETS[1]);
            all.push((kind, Some(ClientObfuscation { secret, dc_id: -4 })));
        }
    }
    all
}

fn drain_server(server: &mut ServerTransport) -> Vec<InboundPacket> {
    let mut packets = Vec::new();
    while let Some(packet) = server.next_packet().unwrap() {
        packets.push(packet);
    }
    packets
}

fn drain_client(client: &mut ClientTransport) -> Vec<ServerFrame> {
    let mut frames = Vec::new();
    while let Some(frame) = client.next_frame().unwrap() {
        frames.push(frame);
    }
    frames
}

/// The padded intermediate hands up the padding too; everything else is exact.
fn assert_payload(kind: TransportKind, got: &[u8], sent: &[u8]) {
    if kind == TransportKind::PaddedIntermediate {
        assert!(got.len() >= sent.len() && got.len() <= sent.len() + 15);
        assert_eq!(&got[..sent.len()], sent);
    } else {
        assert_eq!(got, sent);
    }
}

#[test]
fn every_transport_round_trips_in_both_directions() {
    let mut rng = StdRng::seed_from_u64(1);
    for (kind, obf) in setups() {
        let mut client = ClientTransport::new(kind, obf, &mut rng).unwrap();
        let mut server = new_server();
        let sent: Vec<Vec<u8>> = [4usize, 24, 504, 508, 512, 4000]
            .iter()
            .map(|&len| payload(len, len as u8))
            .collect();
        let mut wire = Vec::new();
        for p in &sent {
            client.encode_packet(p, false, &mut wire).unwrap();
        }
        // Byte by byte: every split point of every frame and of the header.
        let mut got = Vec::new();
        for byte in &wire {
            server.feed(std::slice::from_ref(byte));
            got.extend(drain_server(&mut server));
        }
        assert_eq!(got.len(), sent.len(), "{kind:?} {obf:?}");
        for (g, s) in got.iter().zip(&sent) {
            assert_payload(kind, &g.payload, s);
            assert!(!g.quick_ack_requested);
        }
        assert_eq!(server.transport_kind(), Some(kind));
        assert_eq!(server.buffered_len(), 0);
        match obf {
            None => assert_eq!(server.obfuscation_info(), None),
            Some(o) => {
                let info = server.obfuscation_info().unwrap();
                assert_eq!(info.dc_id, o.dc_id);
                assert_eq!(info.secret_index, o.secret.map(|_| 1));
            }
        }

        // Server to client, all coalesced into one read.
        let mut reply = Vec::new();
        for p in &sent {
            server.encode_packet(p, &mut reply).unwrap();
        }
        client.feed(&reply);
        let frames = drain_client(&mut client);
        assert_eq!(frames.len(), sent.len());
        for (frame, s) in frames.iter().zip(&sent) {
            let ServerFrame::Packet(p) = frame else {
                panic!("expected a packet, got {frame:?}");
            };
            assert_payload(kind, p, s);
        }
    }
}

#[test]
fn quick_acks_both_ways() {
    let mut rng = StdRng::seed_from_u64(2);
    for (kind, obf) in setups() {
        let mut client = ClientTransport::new(kind, obf, &mut rng).unwrap();
        let mut server = new_server();
        let mut wire = Vec::new();
        client
            .encode_packet(&payload(8, 0), false, &mut wire)
            .unwrap();
        client
            .encode_packet(&payload(600, 1), true, &mut wire)
            .unwrap();
        server.feed(&wire);
        let got = drain_server(&mut server);
        let mut out = Vec::new();
        if kind == TransportKind::Full {
            // Full has no quick-ack bit at all.
            assert!(got.iter().all(|p| !p.quick_ack_requested));
            let err = server.encode_quick_ack(0x8123_4567, &mut out);
            assert_eq!(err, Err(TransportError::QuickAckUnsupported));
            continue;
        }
        assert_eq!(
            got.iter()
                .map(|p| p.quick_ack_requested)
                .collect::<Vec<_>>(),
            [false, true]
        );
        server.encode_quick_ack(0x0123_4567, &mut out).unwrap();
        server.encode_packet(&payload(4, 9), &mut out).unwrap();
        client.feed(&out);
        let frames = drain_client(&mut client);
        assert_eq!(frames[0], ServerFrame::QuickAck(0x8123_4567), "{kind:?}");
        assert!(matches!(&frames[1], ServerFrame::Packet(_)));
    }
}

#[test]
fn quick_ack_wire_formats() {
    // Abridged sends the token byte-swapped, intermediate as a little-endian word.
    for (tag, expected) in [
        (&[0xefu8][..], [0x81, 0x23, 0x45, 0x67]),
        (&[0xee; 4][..], [0x67, 0x45, 0x23, 0x81]),
        (&[0xdd; 4][..], [0x67, 0x45, 0x23, 0x81]),
    ] {
        let mut server = new_server();
        server.feed(tag);
        assert_eq!(server.next_packet(), Ok(None));
        let mut out = Vec::new();
        server.encode_quick_ack(0x8123_4567, &mut out).unwrap();
        assert_eq!(out, expected);
    }
}

#[test]
fn abridged_length_forms() {
    let mut server = new_server();
    // 0xef, then a short frame flagged for quick ack, then a long 0xff-form frame of 127 words.
    let mut wire = vec![0xef, 0x81, 1, 2, 3, 4, 0xff, 127, 0, 0];
    wire.extend(payload(508, 0));
    server.feed(&wire);
    let got = drain_server(&mut server);
    assert_eq!(got[0].payload, [1, 2, 3, 4]);
    assert!(got[0].quick_ack_requested);
    assert_eq!(got[1].payload.len(), 508);
    assert!(got[1].quick_ack_requested);
    let mut out = Vec::new();
    server.encode_packet(&payload(508, 0), &mut out).unwrap();
    assert_eq!(out[..4], [0x7f, 127, 0, 0]);
    out.clear();
    server.encode_packet(&payload(504, 0), &mut out).unwrap();
    assert_eq!(out[0], 126);
    assert_eq!(
        server.encode_packet(&[1, 2, 3], &mut out),
        Err(TransportError::UnalignedPayload(3))
    );
}

/// Builds an obfuscated2 header step by step from the spec text, independently of
/// `obfuscated::initiate`, so that a mistake shared by both sides of our code would show.
#[test]
fn obfuscated_header_built_from_the_spec() {
    for secret in [None, Some(SECRETS[2])] {
        let mut header: [u8; 64] = std::array::from_fn(|i| (i as u8).wrapping_mul(37) | 1);
        header[56..60].copy_from_slice(&[0xee; 4]);
        header[60..62].copy_from_slice(&(-3i16).to_le_bytes());
        let mix = |key: &[u8]| -> [u8; 32] {
            match &secret {
                Some(s) => sha256(&[key, s]),
                None => key.try_into().unwrap(),
            }
        };
        let mut enc = AesCtr::new(&mix(&header[8..40]), header[40..56].try_into().unwrap());
        let mut encrypted = header;
        enc.apply(&mut encrypted);
        header[56..].copy_from_slice(&encrypted[56..]);
        let mut frame = vec![8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
        enc.apply(&mut frame);

        let mut server = new_server();
        server.feed(&header);
        server.feed(&frame);
        let packet = server.next_packet().unwrap().unwrap();
        assert_eq!(packet.payload, [1, 2, 3, 4, 5, 6, 7, 8]);
        let info = server.obfuscation_info().unwrap();
        assert_eq!(info.dc_id, -3);
        assert_eq!(info.secret_index, secret.map(|_| 2));

        let mut out = Vec::new();
        server.encode_packet(&[9, 9, 9, 9], &mut out).unwrap();
        let reversed: Vec<u8> = header[8..56].iter().rev().copied().collect();
        let mut dec = AesCtr::new(&mix(&reversed[..32]), reversed[32..].try_into().unwrap());
        dec.apply(&mut out);
        assert_eq!(out, [4, 0, 0, 0, 9, 9, 9, 9]);
    }
}

#[test]
fn unknown_secret_is_rejected() {
    let mut rng = StdRng::seed_from_u64(3);
    let obf = ClientObfuscation {
        secret: Some([9; 16]),
        dc_id: 1,
    };
    let mut client =
        ClientTransport::new(TransportKind::Intermediate, Some(obf), &mut rng).unwrap();
    let mut wire = Vec::new();
    client.encode_packet(&[0; 4], false, &mut wire).unwrap();
    let mut server = new_server();
    server.feed(&wire);
    assert_eq!(
        server.next_packet(),
        Err(TransportError::UnknownObfuscatedProtocol)
    );
    assert_eq!(server.next_packet(), Err(TransportError::Failed));
}

#[test]
fn http_is_rejected() {
    for start in [
        &b"POST /api"[..],
        b"GET / HTTP/1.1",
        b"HEAD /",
        b"OPTIONS *",
    ] {
        let mut server = new_server();
        server.feed(start);
        assert_eq!(server.next_packet(), Err(TransportError::HttpNotSupported));
    }
}

#[test]
fn detection_waits_for_enough_bytes() {
    let mut server = new_server();
    let mut out = Vec::new();
    assert_eq!(
        server.encode_packet(&[0; 4], &mut out),
        Err(TransportError::NotDetected)
    );
    server.feed(&[0xee, 0xee, 0xee]);
    assert_eq!(server.next_packet(), Ok(None));
    assert_eq!(server.transport_kind(), None);
    let mut server = new_server();
    server.feed(&[0x11; 63]); // could still be an obfuscated header
    assert_eq!(server.next_packet(), Ok(None));
}

#[test]
fn oversize_frames_fail_before_the_payload_arrives() {
    let huge = (MAX_FRAME_LEN + 4) as u32;
    let cases: [(&[u8], Vec<u8>); 4] = [
        (&[0xef], vec![0x7f, 0xff, 0xff, 0xff]),
        (&[0xee; 4], huge.to_le_bytes().to_vec()),
        (&[0xdd; 4], 0xffff_fff0u32.to_le_bytes().to_vec()),
        (&[], [(huge + 12).to_le_bytes(), [0; 4]].concat()),
    ];
    for (tag, prefix) in cases {
        let mut server = new_server();
        server.feed(tag);
        server.feed(&prefix);
        assert!(matches!(
            server.next_packet(),
            Err(TransportError::FrameTooLarge { .. })
        ));
    }
    let mut server = new_server();
    server.feed(&[0xee; 4]);
    let _ = server.next_packet();
    let big = vec![0u8; MAX_FRAME_LEN + 4];
    assert!(matches!(
        server.encode_packet(&big, &mut Vec::new()),
        Err(TransportError::FrameTooLarge { .. })
    ));
}

#[test]
fn full_transport_checks_crc_and_seqno() {
    let mut rng = StdRng::seed_from_u64(4);
    let mut client = ClientTransport::new(TransportKind::Full, None, &mut rng).unwrap();
    let mut wire = Vec::new();
    client
        .encode_packet(&payload(16, 0), false, &mut wire)
        .unwrap();
    let mut corrupt = wire.clone();
    corrupt[10] ^= 0x40;
    let mut server = new_server();
    server.feed(&corrupt);
    assert!(matches!(
        server.next_packet(),
        Err(TransportError::CrcMismatch { .. })
    ));

    // The same (valid) frame twice: the second carries seqno 0 again.
    let mut server = new_server();
    server.feed(&wire);
    server.feed(&wire);
    assert!(server.next_packet().unwrap().is_some());
    assert_eq!(
        server.next_packet(),
        Err(TransportError::SeqNoMismatch {
            expected: 1,
            found: 0
        })
    );

    let mut server = new_server();
    server.feed(&[8, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        server.next_packet(),
        Err(TransportError::FullLengthTooSmall(8))
    );
    assert_eq!(
        ClientTransport::new(
            TransportKind::Full,
            Some(ClientObfuscation::default()),
            &mut rng
        )
        .err(),
        Some(TransportError::FullCannotBeObfuscated)
    );
}

#[test]
fn transport_errors_reach_the_client() {
    let mut rng = StdRng::seed_from_u64(5);
    for (kind, obf) in setups() {
        let mut client = ClientTransport::new(kind, obf, &mut rng).unwrap();
        let mut server = new_server();
        let mut wire = Vec::new();
        client.encode_packet(&[0; 4], false, &mut wire).unwrap();
        server.feed(&wire);
        server.next_packet().unwrap();
        let mut out = Vec::new();
        server
            .encode_transport_error(TRANSPORT_ERROR_AUTH_KEY_NOT_FOUND, &mut out)
            .unwrap();
        client.feed(&out);
        let frame = client.next_frame().unwrap().unwrap();
        if kind == TransportKind::PaddedIntermediate {
            let ServerFrame::Packet(p) = frame else {
                panic!()
            };
            assert_eq!(p[..4], (-404i32).to_le_bytes());
        } else {
            assert_eq!(frame.transport_error(), Some(-404));
        }
    }
}

#[test]
fn empty_frames_are_errors() {
    let mut server = new_server();
    server.feed(&[0xef, 0x00]);
    assert_eq!(server.next_packet(), Err(TransportError::EmptyFrame));
}

#[test]
fn garbage_never_panics() {
    let mut rng = StdRng::seed_from_u64(6);
    for round in 0..2000 {
        let mut server = new_server();
        let len = rng.gen_range(0..300);
        let mut data = vec![0u8; len];
        rng.fill_bytes(&mut data);
        // Give half of the rounds a plain tag so the framers see garbage too.
        match round % 4 {
            0 => data.insert(0, 0xef),
            1 => drop(data.splice(0..0, [0xee; 4])),
            2 => drop(data.splice(0..0, [0xdd; 4])),
            _ => {}
        }
        for chunk in data.chunks(rng.gen_range(1..40)) {
            server.feed(chunk);
            while let Ok(Some(_)) = server.next_packet() {}
        }
        let mut client = ClientTransport::new(KINDS[round % 4], None, &mut rng).unwrap();
        client.feed(&data);
        while let Ok(Some(_)) = client.next_frame() {}
    }
}

#[test]
fn failure_is_sticky_but_encoding_still_works() {
    let mut server = new_server();
    server.feed(&[0xee; 4]);
    server.feed(&0x7fff_fff0u32.to_le_bytes());
    assert!(server.next_packet().is_err());
    server.feed(&[4, 0, 0, 0, 1, 2, 3, 4]);
    assert_eq!(server.next_packet(), Err(TransportError::Failed));
    assert_eq!(server.buffered_len(), 0);
    assert_eq!(server.transport_kind(), Some(TransportKind::Intermediate));
    let mut out = Vec::new();
    server
        .encode_transport_error(TRANSPORT_ERROR_FLOOD, &mut out)
        .unwrap();
    assert_eq!(out, [4, 0, 0, 0, 0x53, 0xfe, 0xff, 0xff]);
}
