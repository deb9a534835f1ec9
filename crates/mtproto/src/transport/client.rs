//! The client side of the MTProto transports (core.telegram.org/mtproto/mtproto-transports),
//! used by tests and the load tool to talk to `ServerTransport`: sends the protocol tag or the
//! obfuscated2 header before the first frame and reads the server's packets and quick acks.

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

use super::framing::{Decoded, Framer, Role};
use super::{obfuscated, InBuffer, TransportError, TransportKind};
use crate::crypto::AesCtr;

/// Obfuscated2 settings for a client connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientObfuscation {
    /// MTProxy secret mixed into both keys.
    pub secret: Option<[u8; 16]>,
    /// DC id written into the header (0 leaves it out, as TDLib does).
    pub dc_id: i16,
}

/// What the server sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerFrame {
    Packet(Vec<u8>),
    QuickAck(u32),
}

impl ServerFrame {
    /// The code of a transport error packet (a lone negative int32), if this is one.
    pub fn transport_error(&self) -> Option<i32> {
        match self {
            Self::Packet(payload) => {
                let code = i32::from_le_bytes(payload.as_slice().try_into().ok()?);
                (code < 0).then_some(code)
            }
            Self::QuickAck(_) => None,
        }
    }
}

#[derive(Debug)]
pub struct ClientTransport {
    framer: Framer,
    /// Protocol tag or obfuscated header, written in front of the first frame.
    init: Vec<u8>,
    encrypt: Option<AesCtr>,
    decrypt: Option<AesCtr>,
    input: InBuffer,
    padding_rng: StdRng,
    failed: bool,
}

impl ClientTransport {
    /// `rng` supplies the obfuscation header and seeds the padding generator.
    pub fn new<R: RngCore + ?Sized>(
        kind: TransportKind,
        obfuscation: Option<ClientObfuscation>,
        rng: &mut R,
    ) -> Result<Self, TransportError> {
        let (init, encrypt, decrypt) = match obfuscation {
            Some(obf) => {
                let (header, encrypt, decrypt) =
                    obfuscated::initiate(kind, obf.dc_id, obf.secret.as_ref(), rng)?;
                (header.to_vec(), Some(encrypt), Some(decrypt))
            }
            None => {
                let init = match kind {
                    TransportKind::Abridged => vec![0xef],
                    TransportKind::Full => Vec::new(),
                    other => obfuscated::tag_of(other)?.to_vec(),
                };
                (init, None, None)
            }
        };
        Ok(Self {
            framer: Framer::new(kind, Role::Client),
            init,
            encrypt,
            decrypt,
            input: InBuffer::default(),
            padding_rng: StdRng::seed_from_u64(rng.next_u64()),
            failed: false,
        })
    }

    pub fn kind(&self) -> TransportKind {
        self.framer.kind()
    }

    /// Frames (and encrypts) one packet, optionally asking the server for a quick ack.
    pub fn encode_packet(
        &mut self,
        payload: &[u8],
        quick_ack: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), TransportError> {
        let mut frame = Vec::with_capacity(payload.len() + 20);
        self.framer
            .encode(payload, quick_ack, &mut self.padding_rng, &mut frame)?;
        if let Some(encrypt) = &mut self.encrypt {
            encrypt.apply(&mut frame);
        }
        out.append(&mut self.init);
        out.extend_from_slice(&frame);
        Ok(())
    }

    /// Appends bytes read from the socket.
    pub fn feed(&mut self, data: &[u8]) {
        let at = self.input.push(data);
        if let (Some(decrypt), Some(fresh)) = (&mut self.decrypt, self.input.data.get_mut(at..)) {
            decrypt.apply(fresh);
        }
    }

    /// The next packet or quick ack from the server, `Ok(None)` if more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<ServerFrame>, TransportError> {
        if self.failed {
            return Err(TransportError::Failed);
        }
        match self.framer.decode(self.input.pending()) {
            Ok(None) => Ok(None),
            Ok(Some((decoded, used))) => {
                self.input.consume(used);
                Ok(Some(match decoded {
                    Decoded::Packet { payload, .. } => ServerFrame::Packet(payload),
                    Decoded::QuickAck(token) => ServerFrame::QuickAck(token),
                }))
            }
            Err(err) => {
                self.failed = true;
                Err(err)
            }
        }
    }
}
