//! TL binary serialization (core.telegram.org/mtproto/serialize): little-endian integers,
//! length-prefixed byte strings padded to 4 bytes, `vector` with its constructor id.

/// A value that can be written in TL binary form.
pub trait Serializable {
    /// Appends the TL encoding of `self` to `buf`.
    fn serialize(&self, buf: &mut impl Extend<u8>);

    /// Convenience: the TL encoding as a fresh vector.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.serialize(&mut out);
        out
    }
}

/// Constructor id of `boolTrue`.
pub const BOOL_TRUE: u32 = 0x997275b5;
/// Constructor id of `boolFalse`.
pub const BOOL_FALSE: u32 = 0xbc799737;
/// Constructor id of the boxed `vector`.
pub const VECTOR: u32 = 0x1cb5c415;

impl Serializable for bool {
    fn serialize(&self, buf: &mut impl Extend<u8>) {
        (if *self { BOOL_TRUE } else { BOOL_FALSE }).serialize(buf)
    }
}

macro_rules! le_int {
    ($($t:ty),*) => {$(
        impl Serializable for $t {
            fn serialize(&self, buf: &mut impl Extend<u8>) {
                buf.extend(self.to_le_bytes());
            }
        }
    )*};
}
le_int!(i32, u32, i64, f64);

impl Serializable for [u8; 16] {
    fn serialize(&self, buf: &mut impl Extend<u8>) {
        buf.extend(self.iter().copied())
    }
}

impl Serializable for [u8; 32] {
    fn serialize(&self, buf: &mut impl Extend<u8>) {
        buf.extend(self.iter().copied())
    }
}

impl<T: Serializable> Serializable for Vec<T> {
    fn serialize(&self, buf: &mut impl Extend<u8>) {
        VECTOR.serialize(buf);
        (self.len() as i32).serialize(buf);
        for item in self {
            item.serialize(buf);
        }
    }
}

impl<T: Serializable> Serializable for crate::RawVec<T> {
    fn serialize(&self, buf: &mut impl Extend<u8>) {
        (self.0.len() as i32).serialize(buf);
        for item in &self.0 {
            item.serialize(buf);
        }
    }
}

impl Serializable for String {
    fn serialize(&self, buf: &mut impl Extend<u8>) {
        self.as_bytes().serialize(buf)
    }
}

impl Serializable for Vec<u8> {
    fn serialize(&self, buf: &mut impl Extend<u8>) {
        self.as_slice().serialize(buf)
    }
}

impl Serializable for &[u8] {
    fn serialize(&self, buf: &mut impl Extend<u8>) {
        write_bytes(self, buf)
    }
}

/// Writes a TL `bytes`/`string`: 1-byte length (< 254) or 0xfe + 3-byte length, then the
/// data, then zero padding up to a multiple of 4.
pub fn write_bytes(data: &[u8], buf: &mut impl Extend<u8>) {
    let header_len = if data.len() < 254 {
        buf.extend([data.len() as u8]);
        1
    } else {
        let n = data.len() as u32;
        buf.extend([0xfe, n as u8, (n >> 8) as u8, (n >> 16) as u8]);
        4
    };
    buf.extend(data.iter().copied());
    let padding = (4 - (header_len + data.len()) % 4) % 4;
    buf.extend(std::iter::repeat_n(0u8, padding));
}
