//! Reading what a client sends inside an encrypted message (core.telegram.org/mtproto/service_messages,
//! /mtproto/description#containers, /api/invoking): containers, gzip_packed, and the layer-stable
//! wrappers (invokeWithLayer, initConnection, invokeAfterMsg(s), invokeWithoutUpdates, ...) that
//! are peeled off here before the inner call is re-encoded to the newest layer.

use std::io::Read;

use echo_tl::{enums, functions, Cursor, Deserializable, Identifiable};

/// `msg_container#73f1f8dc` (parsed manually: not in the generated schema).
pub const MSG_CONTAINER: u32 = 0x73f1f8dc;
/// `gzip_packed#3072cfa1`.
pub const GZIP_PACKED: u32 = 0x3072cfa1;
/// `rpc_result#f35c6d01`.
pub const RPC_RESULT: u32 = 0xf35c6d01;
/// Largest body a gzip_packed may inflate to; beyond that the message is rejected.
pub const MAX_INFLATED: usize = 16 * 1024 * 1024;
/// Largest number of messages accepted in one container.
pub const MAX_CONTAINER_MESSAGES: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("malformed TL: {0}")]
    Tl(#[from] echo_tl::deserialize::Error),
    #[error("gzip_packed does not inflate")]
    BadGzip,
    #[error("gzip_packed inflates beyond the limit")]
    TooLarge,
    #[error("container too large or nested")]
    BadContainer,
}

/// One message of a container.
pub struct InnerMessage<'a> {
    pub msg_id: i64,
    pub seq_no: i32,
    pub body: &'a [u8],
}

/// Reads the constructor id at the start of `body`.
pub fn constructor_of(body: &[u8]) -> Option<u32> {
    body.get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Splits a `msg_container` body (after its constructor id) into its messages.
pub fn parse_container(body: &[u8]) -> Result<Vec<InnerMessage<'_>>, EnvelopeError> {
    let mut cur = Cursor::from_slice(body.get(4..).unwrap_or_default());
    let count = cur.read_len(16)?;
    if count > MAX_CONTAINER_MESSAGES {
        return Err(EnvelopeError::BadContainer);
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let msg_id = i64::deserialize(&mut cur)?;
        let seq_no = i32::deserialize(&mut cur)?;
        let len = i32::deserialize(&mut cur)?;
        let len = usize::try_from(len).map_err(|_| EnvelopeError::BadContainer)?;
        let inner = cur.take(len)?;
        if constructor_of(inner) == Some(MSG_CONTAINER) {
            return Err(EnvelopeError::BadContainer);
        }
        out.push(InnerMessage {
            msg_id,
            seq_no,
            body: inner,
        });
    }
    Ok(out)
}

/// Inflates a `gzip_packed` body (after its constructor id), bounded by [`MAX_INFLATED`].
pub fn inflate(body: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
    let mut cur = Cursor::from_slice(body.get(4..).unwrap_or_default());
    let packed = cur.read_bytes()?;
    let mut out = Vec::new();
    let mut decoder = flate2::read::GzDecoder::new(packed).take(MAX_INFLATED as u64 + 1);
    decoder
        .read_to_end(&mut out)
        .map_err(|_| EnvelopeError::BadGzip)?;
    if out.len() > MAX_INFLATED {
        return Err(EnvelopeError::TooLarge);
    }
    Ok(out)
}

/// Wraps `data` as gzip_packed.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    let packed = enc.finish().unwrap_or_default();
    let mut out = Vec::with_capacity(packed.len() + 8);
    out.extend_from_slice(&GZIP_PACKED.to_le_bytes());
    echo_tl::serialize::write_bytes(&packed, &mut out);
    out
}

/// initConnection's parameters.
#[derive(Clone, Debug, Default)]
pub struct InitConnectionParams {
    pub api_id: i32,
    pub device_model: String,
    pub system_version: String,
    pub app_version: String,
    pub system_lang_code: String,
    pub lang_pack: String,
    pub lang_code: String,
}

/// What the wrappers around a call said.
#[derive(Debug, Default)]
pub struct Wrappers {
    pub layer: Option<i32>,
    pub init: Option<InitConnectionParams>,
    /// invokeAfterMsg(s): the calls that must have completed first.
    pub after_msgs: Vec<i64>,
    pub without_updates: bool,
}

/// Peels the invoke* / initConnection wrappers off a call, returning the offset of the inner query.
pub fn unwrap_call(body: &[u8], wrappers: &mut Wrappers) -> Result<usize, EnvelopeError> {
    let mut offset = 0usize;
    // Wrappers nest a handful deep at most in practice; bound it anyway.
    for _ in 0..8 {
        let rest = body.get(offset..).unwrap_or_default();
        let Some(id) = constructor_of(rest) else {
            return Ok(offset);
        };
        let mut cur = Cursor::from_slice(&rest[4..]);
        if id == functions::InvokeWithLayer::<()>::CONSTRUCTOR_ID {
            wrappers.layer = Some(i32::deserialize(&mut cur)?);
        } else if id == functions::InitConnection::<()>::CONSTRUCTOR_ID {
            let flags = u32::deserialize(&mut cur)?;
            let mut p = InitConnectionParams {
                api_id: i32::deserialize(&mut cur)?,
                ..Default::default()
            };
            p.device_model = String::deserialize(&mut cur)?;
            p.system_version = String::deserialize(&mut cur)?;
            p.app_version = String::deserialize(&mut cur)?;
            p.system_lang_code = String::deserialize(&mut cur)?;
            p.lang_pack = String::deserialize(&mut cur)?;
            p.lang_code = String::deserialize(&mut cur)?;
            if flags & 1 != 0 {
                enums::InputClientProxy::deserialize(&mut cur)?;
            }
            if flags & 2 != 0 {
                enums::Jsonvalue::deserialize(&mut cur)?;
            }
            wrappers.init = Some(p);
        } else if id == functions::InvokeAfterMsg::<()>::CONSTRUCTOR_ID {
            wrappers.after_msgs.push(i64::deserialize(&mut cur)?);
        } else if id == functions::InvokeAfterMsgs::<()>::CONSTRUCTOR_ID {
            wrappers
                .after_msgs
                .extend(Vec::<i64>::deserialize(&mut cur)?);
        } else if id == functions::InvokeWithoutUpdates::<()>::CONSTRUCTOR_ID {
            wrappers.without_updates = true;
        } else if id == functions::InvokeWithMessagesRange::<()>::CONSTRUCTOR_ID {
            enums::MessageRange::deserialize(&mut cur)?;
        } else if id == functions::InvokeWithTakeout::<()>::CONSTRUCTOR_ID {
            i64::deserialize(&mut cur)?;
        } else if id == functions::InvokeWithBusinessConnection::<()>::CONSTRUCTOR_ID
            || id == functions::InvokeWithReCaptcha::<()>::CONSTRUCTOR_ID
        {
            String::deserialize(&mut cur)?;
        } else if id == functions::InvokeWithGooglePlayIntegrity::<()>::CONSTRUCTOR_ID
            || id == functions::InvokeWithApnsSecret::<()>::CONSTRUCTOR_ID
        {
            String::deserialize(&mut cur)?;
            String::deserialize(&mut cur)?;
        } else {
            return Ok(offset);
        }
        offset += 4 + cur.pos();
    }
    Err(EnvelopeError::BadContainer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use echo_tl::Serializable;

    #[test]
    fn unwraps_layer_and_init_connection() {
        let call = functions::InvokeWithLayer {
            layer: 220,
            query: functions::InitConnection {
                api_id: 6,
                device_model: "pc".into(),
                system_version: "linux".into(),
                app_version: "1.0".into(),
                system_lang_code: "en".into(),
                lang_pack: "".into(),
                lang_code: "en".into(),
                proxy: None,
                params: Some(enums::Jsonvalue::JsonNull),
                query: functions::help::GetConfig {},
            },
        };
        let bytes = call.to_bytes();
        let mut w = Wrappers::default();
        let off = unwrap_call(&bytes, &mut w).unwrap();
        assert_eq!(w.layer, Some(220));
        assert_eq!(w.init.unwrap().device_model, "pc");
        assert_eq!(
            constructor_of(&bytes[off..]),
            Some(functions::help::GetConfig::CONSTRUCTOR_ID)
        );
    }

    #[test]
    fn gzip_round_trip_and_container() {
        let packed = deflate(b"hello world, hello world");
        assert_eq!(inflate(&packed).unwrap(), b"hello world, hello world");
        assert!(inflate(&[0xa1, 0xcf, 0x72, 0x30, 4, 1, 2, 3, 4, 0, 0, 0]).is_err());
        let mut c = MSG_CONTAINER.to_le_bytes().to_vec();
        c.extend(1i32.to_le_bytes());
        c.extend(4i64.to_le_bytes());
        c.extend(1i32.to_le_bytes());
        c.extend(4i32.to_le_bytes());
        c.extend([1, 2, 3, 4]);
        let inner = parse_container(&c).unwrap();
        assert_eq!(inner.len(), 1);
        assert_eq!(inner[0].body, &[1, 2, 3, 4]);
        // A count larger than the data is rejected without allocating.
        let mut bad = MSG_CONTAINER.to_le_bytes().to_vec();
        bad.extend(i32::MAX.to_le_bytes());
        assert!(parse_container(&bad).is_err());
    }
}
