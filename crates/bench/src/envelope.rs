//! The envelope pieces a client reads (core.telegram.org/mtproto/description#containers,
//! /mtproto/serialize#gzip-packed): `msg_container` and `gzip_packed`, bounded so a hostile
//! server cannot make the tool allocate without limit.

use std::io::Read;

use anyhow::{bail, Context};
use echo_tl::{Cursor, Deserializable};

/// `msg_container#73f1f8dc`.
pub const MSG_CONTAINER: u32 = 0x73f1f8dc;
/// `gzip_packed#3072cfa1`.
pub const GZIP_PACKED: u32 = 0x3072cfa1;
/// `rpc_result#f35c6d01`.
pub const RPC_RESULT: u32 = 0xf35c6d01;
/// Most messages one container may hold.
const MAX_CONTAINER_MESSAGES: usize = 1024;
/// Largest inflated gzip_packed accepted.
const MAX_INFLATED: u64 = 16 * 1024 * 1024;

/// The constructor id at the start of `body`.
pub fn constructor_of(body: &[u8]) -> Option<u32> {
    body.get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// (msg_id, seq_no, body) of each message of a `msg_container` (constructor included).
pub fn parse_container(body: &[u8]) -> anyhow::Result<Vec<(i64, i32, Vec<u8>)>> {
    let mut cur = Cursor::from_slice(body.get(4..).unwrap_or_default());
    let count = i32::deserialize(&mut cur).context("container count")?;
    let count = usize::try_from(count).context("negative container count")?;
    if count > MAX_CONTAINER_MESSAGES {
        bail!("container of {count} messages");
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let msg_id = i64::deserialize(&mut cur)?;
        let seq_no = i32::deserialize(&mut cur)?;
        let len = usize::try_from(i32::deserialize(&mut cur)?).context("negative length")?;
        let inner = cur.take(len).context("container message body")?;
        out.push((msg_id, seq_no, inner.to_vec()));
    }
    Ok(out)
}

/// Inflates a `gzip_packed` (constructor included).
pub fn inflate(body: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut cur = Cursor::from_slice(body.get(4..).unwrap_or_default());
    let packed = cur.read_bytes().context("gzip_packed bytes")?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(packed)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut out)
        .context("gzip_packed")?;
    if out.len() as u64 > MAX_INFLATED {
        bail!("gzip_packed inflates beyond the limit");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use echo_tl::Serializable;

    #[test]
    fn container_round_trip_and_limits() {
        let mut body = Vec::new();
        MSG_CONTAINER.serialize(&mut body);
        1i32.serialize(&mut body);
        5i64.serialize(&mut body);
        1i32.serialize(&mut body);
        4i32.serialize(&mut body);
        body.extend_from_slice(&[1, 2, 3, 4]);
        assert_eq!(
            parse_container(&body).unwrap(),
            vec![(5, 1, vec![1, 2, 3, 4])]
        );
        body.truncate(body.len() - 1);
        assert!(parse_container(&body).is_err());
        let mut huge = Vec::new();
        MSG_CONTAINER.serialize(&mut huge);
        i32::MAX.serialize(&mut huge);
        assert!(parse_container(&huge).is_err());
    }
}
