//! Transport detection and unpacking (core.telegram.org/mtproto/mtproto-transports): a server
//! transport fed arbitrary bytes in chunks (first byte: chunk size, 0 = all at once) detects
//! abridged / intermediate / padded / full / obfuscated2 (with or without the MTProxy secret)
//! and yields packets, each framed back; and the client transport of every kind parses the same
//! bytes as server frames. Nothing may panic, and a 2^31 length prefix must not allocate.
#![no_main]

use std::sync::Arc;

use echo_fuzz::PROXY_SECRET;
use echo_mtproto::transport::{ClientTransport, ServerTransport, TransportConfig, TransportKind};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, rest)) = data.split_first() else {
        return;
    };
    let chunk = if chunk == 0 {
        rest.len().max(1)
    } else {
        usize::from(chunk)
    };
    let config = Arc::new(TransportConfig {
        secrets: vec![PROXY_SECRET],
    });
    let mut server = ServerTransport::new(config, 0);
    let mut out = Vec::new();
    for piece in rest.chunks(chunk) {
        server.feed(piece);
        loop {
            match server.next_packet() {
                Ok(Some(packet)) => {
                    out.clear();
                    let _ = server.encode_packet(&packet.payload, &mut out);
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
    for kind in [
        TransportKind::Abridged,
        TransportKind::Intermediate,
        TransportKind::PaddedIntermediate,
        TransportKind::Full,
    ] {
        let mut rng = rand::rngs::StdRng::seed_from_u64(0);
        let Ok(mut client) = ClientTransport::new(kind, None, &mut rng) else {
            continue;
        };
        // The client writes its tag first; frames are then read from the server side.
        let _ = client.encode_packet(&[0; 8], false, &mut Vec::new());
        client.feed(rest);
        while let Ok(Some(_)) = client.next_frame() {}
    }
});
