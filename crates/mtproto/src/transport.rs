//! MTProto TCP transports (core.telegram.org/mtproto/mtproto-transports), sans-IO.
//!
//! `ServerTransport` is fed the bytes read from one TCP connection, detects the protocol from the
//! first bytes (abridged, intermediate, padded intermediate, full, or any of the first three
//! inside obfuscated2, optionally keyed with an MTProxy secret), yields whole packets and frames
//! (and, when obfuscated, encrypts) outgoing ones. `ClientTransport` is its mirror for tests and
//! the load tool.
//!
//! Padded intermediate: a frame's length covers the MTProto packet plus 0..15 random bytes and
//! the real packet length is never sent, so the whole frame is handed up unchanged; the message
//! layer (`crate::message`) ignores up to 15 trailing bytes. Cutting `len % 4` bytes would be
//! wrong: the padding may itself be 4, 8 or 12 bytes long.
//!
//! After `next_packet` returns an error the input stream is out of sync and the connection must
//! be closed; further calls return `TransportError::Failed`. Encoding still works, so a
//! transport error can be sent before closing.

mod client;
mod framing;
mod obfuscated;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::crypto::AesCtr;
use framing::{Decoded, Framer, Role};

pub use client::{ClientObfuscation, ClientTransport, ServerFrame};

/// The largest frame payload accepted or produced; a longer length prefix fails the connection.
pub const MAX_FRAME_LEN: usize = 16 * 1024 * 1024;

/// Transport error codes a server sends as a 4-byte packet (core.telegram.org/mtproto/mtproto-transports#transport-errors).
pub const TRANSPORT_ERROR_AUTH_KEY_NOT_FOUND: i32 = -404;
pub const TRANSPORT_ERROR_FLOOD: i32 = -429;
pub const TRANSPORT_ERROR_WRONG_DC: i32 = -444;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("HTTP transport is not supported")]
    HttpNotSupported,
    #[error("no obfuscation key (plain or secret) yields a known protocol tag")]
    UnknownObfuscatedProtocol,
    #[error("frame of {len} bytes exceeds the limit")]
    FrameTooLarge { len: usize },
    #[error("empty frame")]
    EmptyFrame,
    #[error("full transport length field {0} is below the 12-byte minimum")]
    FullLengthTooSmall(u32),
    #[error("full transport CRC32 mismatch: frame says {found:08x}, computed {computed:08x}")]
    CrcMismatch { found: u32, computed: u32 },
    #[error("full transport seqno {found}, expected {expected}")]
    SeqNoMismatch { expected: u32, found: u32 },
    #[error("payload length {0} is not a multiple of 4")]
    UnalignedPayload(usize),
    #[error("quick acks are not supported by the full transport")]
    QuickAckUnsupported,
    #[error("the obfuscated transport cannot carry the full protocol")]
    FullCannotBeObfuscated,
    #[error("the transport protocol is not known yet (nothing received)")]
    NotDetected,
    #[error("the transport already failed; close the connection")]
    Failed,
}

/// The framing protocol inside (or without) obfuscation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportKind {
    Abridged,
    Intermediate,
    PaddedIntermediate,
    Full,
}

/// What the obfuscated2 init header said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObfuscationInfo {
    /// DC id from header bytes 60..62 (negative for media DCs, 0 if the client left it out).
    pub dc_id: i16,
    /// Index into `TransportConfig::secrets` of the MTProxy secret that matched, if any.
    pub secret_index: Option<usize>,
}

/// Settings shared by every connection of a listener.
#[derive(Debug, Clone, Default)]
pub struct TransportConfig {
    /// MTProxy-style 16-byte secrets accepted for obfuscated connections (besides no secret).
    pub secrets: Vec<[u8; 16]>,
}

/// One packet received from the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundPacket {
    pub payload: Vec<u8>,
    /// The client set the quick-ack bit; answer with `encode_quick_ack` once the message decrypts.
    pub quick_ack_requested: bool,
}

/// Bytes received but not yet consumed, with a read offset so that draining many small frames
/// from one large read does not shift the buffer each time.
#[derive(Debug, Default)]
struct InBuffer {
    data: Vec<u8>,
    start: usize,
}

impl InBuffer {
    fn push(&mut self, bytes: &[u8]) -> usize {
        if self.start > 0 {
            self.data.drain(..self.start);
            self.start = 0;
        }
        let at = self.data.len();
        self.data.extend_from_slice(bytes);
        at
    }

    fn pending(&self) -> &[u8] {
        self.data.get(self.start..).unwrap_or_default()
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.data.len());
        if self.start == self.data.len() {
            self.data.clear();
            self.start = 0;
        }
    }
}

#[derive(Debug)]
enum State {
    Detecting,
    Ready {
        framer: Framer,
        obfuscation: Option<Box<Obfuscation>>,
    },
}

#[derive(Debug)]
struct Obfuscation {
    info: ObfuscationInfo,
    decrypt: AesCtr,
    encrypt: AesCtr,
}

/// The server side of one connection's transport.
#[derive(Debug)]
pub struct ServerTransport {
    config: Arc<TransportConfig>,
    state: State,
    input: InBuffer,
    /// Set once `next_packet` failed: the input cannot be parsed any further.
    failed: bool,
    /// Source of padded-intermediate padding bytes; seeded by the caller to stay deterministic.
    padding_rng: StdRng,
}

impl ServerTransport {
    pub fn new(config: Arc<TransportConfig>, padding_seed: u64) -> Self {
        Self {
            config,
            state: State::Detecting,
            input: InBuffer::default(),
            failed: false,
            padding_rng: StdRng::seed_from_u64(padding_seed),
        }
    }

    /// Appends bytes read from the socket (decrypting them if the stream is obfuscated).
    /// Ignored after a failure, so a misbehaving peer cannot grow the buffer.
    pub fn feed(&mut self, data: &[u8]) {
        if self.failed {
            return;
        }
        let at = self.input.push(data);
        if let State::Ready {
            obfuscation: Some(obf),
            ..
        } = &mut self.state
        {
            if let Some(fresh) = self.input.data.get_mut(at..) {
                obf.decrypt.apply(fresh);
            }
        }
    }

    /// The next whole packet, `Ok(None)` if more bytes are needed.
    pub fn next_packet(&mut self) -> Result<Option<InboundPacket>, TransportError> {
        if self.failed {
            return Err(TransportError::Failed);
        }
        let result = self.try_next_packet();
        if result.is_err() {
            self.failed = true;
            self.input = InBuffer::default();
        }
        result
    }

    fn try_next_packet(&mut self) -> Result<Option<InboundPacket>, TransportError> {
        if matches!(self.state, State::Detecting) && !self.detect()? {
            return Ok(None);
        }
        let State::Ready { framer, .. } = &mut self.state else {
            return Ok(None);
        };
        match framer.decode(self.input.pending())? {
            None => Ok(None),
            Some((Decoded::Packet { payload, quick_ack }, used)) => {
                self.input.consume(used);
                Ok(Some(InboundPacket {
                    payload,
                    quick_ack_requested: quick_ack,
                }))
            }
            // A server-role framer never yields quick-ack tokens.
            Some((Decoded::QuickAck(_), _)) => Err(TransportError::Failed),
        }
    }

    /// Looks at the first bytes; `Ok(false)` while too few have arrived to decide.
    fn detect(&mut self) -> Result<bool, TransportError> {
        let head = self.input.pending();
        let Some(&first) = head.first() else {
            return Ok(false);
        };
        if first == 0xef {
            return Ok(self.start_plain(TransportKind::Abridged, 1));
        }
        let Some(first4) = head.get(..4) else {
            return Ok(false);
        };
        match first4 {
            [0xee, 0xee, 0xee, 0xee] => return Ok(self.start_plain(TransportKind::Intermediate, 4)),
            [0xdd, 0xdd, 0xdd, 0xdd] => {
                return Ok(self.start_plain(TransportKind::PaddedIntermediate, 4))
            }
            b"POST" | b"GET " | b"HEAD" | b"OPTI" => return Err(TransportError::HttpNotSupported),
            _ => {}
        }
        match head.get(4..8) {
            None => return Ok(false),
            // Full has no tag: its first frame starts with length then seqno 0.
            Some([0, 0, 0, 0]) => return Ok(self.start_plain(TransportKind::Full, 0)),
            Some(_) => {}
        }
        let Some(header) = head.get(..obfuscated::HEADER_LEN) else {
            return Ok(false);
        };
        let mut header_copy = [0u8; obfuscated::HEADER_LEN];
        header_copy.copy_from_slice(header);
        let accepted = obfuscated::accept(&header_copy, &self.config.secrets)
            .ok_or(TransportError::UnknownObfuscatedProtocol)?;
        self.input.consume(obfuscated::HEADER_LEN);
        let mut obf = Box::new(Obfuscation {
            info: accepted.info,
            decrypt: accepted.decrypt,
            encrypt: accepted.encrypt,
        });
        // Bytes that arrived together with the header are still encrypted.
        let start = self.input.start;
        if let Some(rest) = self.input.data.get_mut(start..) {
            obf.decrypt.apply(rest);
        }
        self.state = State::Ready {
            framer: Framer::new(accepted.kind, Role::Server),
            obfuscation: Some(obf),
        };
        Ok(true)
    }

    fn start_plain(&mut self, kind: TransportKind, tag_len: usize) -> bool {
        self.input.consume(tag_len);
        self.state = State::Ready {
            framer: Framer::new(kind, Role::Server),
            obfuscation: None,
        };
        true
    }

    /// Frames (and encrypts, if obfuscated) one packet onto `out`.
    pub fn encode_packet(
        &mut self,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), TransportError> {
        let start = out.len();
        let (framer, encrypt) = ready(&mut self.state)?;
        framer.encode(payload, false, &mut self.padding_rng, out)?;
        if let (Some(encrypt), Some(written)) = (encrypt, out.get_mut(start..)) {
            encrypt.apply(written);
        }
        Ok(())
    }

    /// Sends a quick-ack token (from `message::quick_ack_token`) in this protocol's format.
    pub fn encode_quick_ack(
        &mut self,
        token: u32,
        out: &mut Vec<u8>,
    ) -> Result<(), TransportError> {
        let start = out.len();
        let (framer, encrypt) = ready(&mut self.state)?;
        framer.encode_quick_ack(token, out)?;
        if let (Some(encrypt), Some(written)) = (encrypt, out.get_mut(start..)) {
            encrypt.apply(written);
        }
        Ok(())
    }

    /// Sends a transport error: a 4-byte packet holding the negative code, e.g.
    /// `TRANSPORT_ERROR_AUTH_KEY_NOT_FOUND`.
    pub fn encode_transport_error(
        &mut self,
        code: i32,
        out: &mut Vec<u8>,
    ) -> Result<(), TransportError> {
        self.encode_packet(&code.to_le_bytes(), out)
    }

    /// The detected protocol, once the first bytes have been seen by `next_packet`.
    pub fn transport_kind(&self) -> Option<TransportKind> {
        match &self.state {
            State::Ready { framer, .. } => Some(framer.kind()),
            _ => None,
        }
    }

    /// DC id and matched secret if the connection is obfuscated.
    pub fn obfuscation_info(&self) -> Option<ObfuscationInfo> {
        match &self.state {
            State::Ready {
                obfuscation: Some(obf),
                ..
            } => Some(obf.info),
            _ => None,
        }
    }

    /// Bytes received but not yet returned as packets (to bound per-connection memory).
    pub fn buffered_len(&self) -> usize {
        self.input.pending().len()
    }
}

/// The framer and outgoing cipher of a connection whose protocol is known.
fn ready(state: &mut State) -> Result<(&mut Framer, Option<&mut AesCtr>), TransportError> {
    match state {
        State::Ready {
            framer,
            obfuscation,
        } => Ok((framer, obfuscation.as_mut().map(|o| &mut o.encrypt))),
        State::Detecting => Err(TransportError::NotDetected),
    }
}
