//! Frame codecs of the abridged, intermediate, padded intermediate and full protocols
//! (core.telegram.org/mtproto/mtproto-transports), including quick-ack signalling
//! (core.telegram.org/mtproto/mtproto-transports#quick-ack). Works on already de-obfuscated
//! bytes and is shared by the server and client transports.

use rand::RngCore;

use super::{TransportError, TransportKind, MAX_FRAME_LEN};

/// Bit 31 of an intermediate length (or bit 7 of an abridged length byte) flags quick acks.
const QUICK_ACK_BIT: u32 = 0x8000_0000;
/// An abridged length byte of 0x7f announces a 3-byte length.
const ABRIDGED_LONG: u8 = 0x7f;
/// length (4) + seqno (4) + crc32 (4) around a full-transport payload.
const FULL_OVERHEAD: usize = 12;

/// Which side of the connection this framer sits on; the two read different things in the
/// high length bit (a client's quick-ack request vs. a server's quick-ack token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Server,
    Client,
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Decoded {
    Packet {
        payload: Vec<u8>,
        quick_ack: bool,
    },
    /// A quick-ack token sent by the server (client role only).
    QuickAck(u32),
}

#[derive(Debug)]
pub(super) struct Framer {
    kind: TransportKind,
    role: Role,
    /// Full transport: the seqno the next received frame must carry.
    recv_seq: u32,
    /// Full transport: the seqno of the next frame we send.
    send_seq: u32,
}

fn le_u32(buf: &[u8], at: usize) -> Option<u32> {
    let bytes = buf.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(bytes.try_into().ok()?))
}

fn check_len(len: usize) -> Result<(), TransportError> {
    if len == 0 {
        return Err(TransportError::EmptyFrame);
    }
    if len > MAX_FRAME_LEN {
        return Err(TransportError::FrameTooLarge { len });
    }
    Ok(())
}

/// Cuts a `len`-byte payload that starts `header` bytes into `buf`, if it has fully arrived.
/// The length is checked before anything is allocated.
fn take(buf: &[u8], header: usize, len: usize) -> Result<Option<(Vec<u8>, usize)>, TransportError> {
    check_len(len)?;
    let end = header + len;
    Ok(buf.get(header..end).map(|payload| (payload.to_vec(), end)))
}

fn packet(taken: Option<(Vec<u8>, usize)>, quick_ack: bool) -> Option<(Decoded, usize)> {
    taken.map(|(payload, used)| (Decoded::Packet { payload, quick_ack }, used))
}

impl Framer {
    pub(super) fn new(kind: TransportKind, role: Role) -> Self {
        Self {
            kind,
            role,
            recv_seq: 0,
            send_seq: 0,
        }
    }

    pub(super) fn kind(&self) -> TransportKind {
        self.kind
    }

    /// Decodes one frame from the start of `buf`: `Ok(None)` if incomplete, otherwise the frame
    /// and how many bytes it used.
    pub(super) fn decode(
        &mut self,
        buf: &[u8],
    ) -> Result<Option<(Decoded, usize)>, TransportError> {
        match self.kind {
            TransportKind::Abridged => self.decode_abridged(buf),
            TransportKind::Intermediate | TransportKind::PaddedIntermediate => {
                self.decode_intermediate(buf)
            }
            TransportKind::Full => self.decode_full(buf),
        }
    }

    fn decode_abridged(&self, buf: &[u8]) -> Result<Option<(Decoded, usize)>, TransportError> {
        let Some(&first) = buf.first() else {
            return Ok(None);
        };
        let flagged = first & 0x80 != 0;
        if flagged && self.role == Role::Client {
            // The server sends tokens byte-swapped so the first byte carries the flag.
            return Ok(buf.get(..4).map(|token| {
                let token = u32::from_be_bytes([token[0], token[1], token[2], token[3]]);
                (Decoded::QuickAck(token), 4)
            }));
        }
        let short = first & 0x7f;
        let (words, header) = if short == ABRIDGED_LONG {
            let Some(len) = buf.get(1..4) else {
                return Ok(None);
            };
            (u32::from_le_bytes([len[0], len[1], len[2], 0]) as usize, 4)
        } else {
            (usize::from(short), 1)
        };
        let len = words.saturating_mul(4);
        Ok(packet(take(buf, header, len)?, flagged))
    }

    fn decode_intermediate(&self, buf: &[u8]) -> Result<Option<(Decoded, usize)>, TransportError> {
        let Some(word) = le_u32(buf, 0) else {
            return Ok(None);
        };
        let flagged = word & QUICK_ACK_BIT != 0;
        if flagged && self.role == Role::Client {
            return Ok(Some((Decoded::QuickAck(word), 4)));
        }
        let len = (word & !QUICK_ACK_BIT) as usize;
        Ok(packet(take(buf, 4, len)?, flagged))
    }

    fn decode_full(&mut self, buf: &[u8]) -> Result<Option<(Decoded, usize)>, TransportError> {
        let Some(total) = le_u32(buf, 0) else {
            return Ok(None);
        };
        let total_len = total as usize;
        let Some(len) = total_len.checked_sub(FULL_OVERHEAD) else {
            return Err(TransportError::FullLengthTooSmall(total));
        };
        // Validate the length before waiting for the payload.
        check_len(len)?;
        if buf.len() < total_len {
            return Ok(None);
        }
        let (Some(seq), Some(found), Some(covered)) = (
            le_u32(buf, 4),
            le_u32(buf, total_len - 4),
            buf.get(..total_len - 4),
        ) else {
            return Ok(None);
        };
        let computed = crc32fast::hash(covered);
        if computed != found {
            return Err(TransportError::CrcMismatch { found, computed });
        }
        if seq != self.recv_seq {
            return Err(TransportError::SeqNoMismatch {
                expected: self.recv_seq,
                found: seq,
            });
        }
        self.recv_seq = self.recv_seq.wrapping_add(1);
        let payload = covered.get(8..).unwrap_or_default().to_vec();
        Ok(Some((
            Decoded::Packet {
                payload,
                quick_ack: false,
            },
            total_len,
        )))
    }

    /// Appends one framed payload to `out`. `quick_ack` requests a quick ack (client side).
    /// Padded intermediate draws 0..15 padding bytes from `rng`.
    pub(super) fn encode<R: RngCore + ?Sized>(
        &mut self,
        payload: &[u8],
        quick_ack: bool,
        rng: &mut R,
        out: &mut Vec<u8>,
    ) -> Result<(), TransportError> {
        let len = payload.len();
        check_len(len)?;
        if !len.is_multiple_of(4) && self.kind != TransportKind::Full {
            return Err(TransportError::UnalignedPayload(len));
        }
        // MAX_FRAME_LEN keeps every length below 2^24 words and 2^31 bytes.
        let len32 = len as u32;
        let flag = if quick_ack { QUICK_ACK_BIT } else { 0 };
        match self.kind {
            TransportKind::Abridged => {
                let words = len32 / 4;
                let flag_byte = if quick_ack { 0x80 } else { 0 };
                if words < u32::from(ABRIDGED_LONG) {
                    out.push(words as u8 | flag_byte);
                } else {
                    out.push(ABRIDGED_LONG | flag_byte);
                    out.extend_from_slice(&words.to_le_bytes()[..3]);
                }
                out.extend_from_slice(payload);
            }
            TransportKind::Intermediate => {
                out.extend_from_slice(&(len32 | flag).to_le_bytes());
                out.extend_from_slice(payload);
            }
            TransportKind::PaddedIntermediate => {
                let mut padding = [0u8; 15];
                let pad_len = (rng.next_u32() % 16) as usize;
                let padding = &mut padding[..pad_len];
                rng.fill_bytes(padding);
                out.extend_from_slice(&((len32 + pad_len as u32) | flag).to_le_bytes());
                out.extend_from_slice(payload);
                out.extend_from_slice(padding);
            }
            TransportKind::Full => {
                let start = out.len();
                out.extend_from_slice(&(len32 + FULL_OVERHEAD as u32).to_le_bytes());
                out.extend_from_slice(&self.send_seq.to_le_bytes());
                out.extend_from_slice(payload);
                let crc = crc32fast::hash(out.get(start..).unwrap_or_default());
                out.extend_from_slice(&crc.to_le_bytes());
                self.send_seq = self.send_seq.wrapping_add(1);
            }
        }
        Ok(())
    }

    /// Appends a quick-ack token as the server sends it: byte-swapped on abridged, a raw
    /// little-endian word on (padded) intermediate; the high bit is always set.
    pub(super) fn encode_quick_ack(
        &self,
        token: u32,
        out: &mut Vec<u8>,
    ) -> Result<(), TransportError> {
        let token = token | QUICK_ACK_BIT;
        match self.kind {
            TransportKind::Abridged => out.extend_from_slice(&token.to_be_bytes()),
            TransportKind::Intermediate | TransportKind::PaddedIntermediate => {
                out.extend_from_slice(&token.to_le_bytes())
            }
            TransportKind::Full => return Err(TransportError::QuickAckUnsupported),
        }
        Ok(())
    }
}
