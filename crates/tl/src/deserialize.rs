//! TL binary deserialization over a borrowed buffer. Everything here reads untrusted network
//! input: lengths are checked against the bytes actually present before anything is allocated,
//! so a length prefix of 2^31 fails fast instead of reserving gigabytes.

use std::fmt;

/// Why a TL value could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The input ended before the value did.
    UnexpectedEof,
    /// A boxed value started with a constructor id that is not valid here.
    UnexpectedConstructor { id: u32 },
}

impl std::error::Error for Error {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnexpectedEof => write!(f, "unexpected end of TL input"),
            Error::UnexpectedConstructor { id } => write!(f, "unexpected constructor {id:#010x}"),
        }
    }
}

/// Result of a TL read.
pub type Result<T> = std::result::Result<T, Error>;

/// A read position within a byte slice.
#[derive(Debug)]
pub struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn from_slice(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// Takes exactly `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.remaining() < n {
            return Err(Error::UnexpectedEof);
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    pub fn read_u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads a TL `bytes` value without copying it.
    pub fn read_bytes(&mut self) -> Result<&'a [u8]> {
        let first = self.take(1)?[0];
        let (len, header) = if first < 254 {
            (first as usize, 1)
        } else {
            let b = self.take(3)?;
            (
                b[0] as usize | (b[1] as usize) << 8 | (b[2] as usize) << 16,
                4,
            )
        };
        let data = self.take(len)?;
        let padding = (4 - (header + len) % 4) % 4;
        self.take(padding)?;
        Ok(data)
    }

    /// Reads a vector length and checks that at least `min_item_size` bytes per item remain.
    pub fn read_len(&mut self, min_item_size: usize) -> Result<usize> {
        let n = i32::deserialize(self)?;
        let n = usize::try_from(n).map_err(|_| Error::UnexpectedEof)?;
        if n.saturating_mul(min_item_size.max(1)) > self.remaining() && min_item_size > 0 {
            return Err(Error::UnexpectedEof);
        }
        Ok(n)
    }
}

/// The buffer type generated code reads from.
pub type Buffer<'a, 'b> = &'a mut Cursor<'b>;

/// A value that can be read from TL binary form.
pub trait Deserializable: Sized {
    fn deserialize(buf: Buffer) -> Result<Self>;

    /// Reads a value from the start of `buf` (trailing bytes are ignored).
    fn from_bytes(buf: &[u8]) -> Result<Self> {
        Self::deserialize(&mut Cursor::from_slice(buf))
    }
}

impl Deserializable for bool {
    fn deserialize(buf: Buffer) -> Result<Self> {
        match buf.read_u32()? {
            crate::serialize::BOOL_TRUE => Ok(true),
            crate::serialize::BOOL_FALSE => Ok(false),
            id => Err(Error::UnexpectedConstructor { id }),
        }
    }
}

macro_rules! le_int {
    ($($t:ty => $n:expr),*) => {$(
        impl Deserializable for $t {
            fn deserialize(buf: Buffer) -> Result<Self> {
                let b = buf.take($n)?;
                let mut a = [0u8; $n];
                a.copy_from_slice(b);
                Ok(<$t>::from_le_bytes(a))
            }
        }
    )*};
}
le_int!(i32 => 4, u32 => 4, i64 => 8, f64 => 8);

impl Deserializable for [u8; 16] {
    fn deserialize(buf: Buffer) -> Result<Self> {
        let mut a = [0u8; 16];
        a.copy_from_slice(buf.take(16)?);
        Ok(a)
    }
}

impl Deserializable for [u8; 32] {
    fn deserialize(buf: Buffer) -> Result<Self> {
        let mut a = [0u8; 32];
        a.copy_from_slice(buf.take(32)?);
        Ok(a)
    }
}

impl<T: Deserializable> Deserializable for Vec<T> {
    fn deserialize(buf: Buffer) -> Result<Self> {
        let id = buf.read_u32()?;
        if id != crate::serialize::VECTOR {
            return Err(Error::UnexpectedConstructor { id });
        }
        read_items(buf)
    }
}

impl<T: Deserializable> Deserializable for crate::RawVec<T> {
    fn deserialize(buf: Buffer) -> Result<Self> {
        read_items(buf).map(crate::RawVec)
    }
}

/// Every TL value takes at least 4 bytes, which bounds how many items can really follow.
fn read_items<T: Deserializable>(buf: Buffer) -> Result<Vec<T>> {
    let n = buf.read_len(4)?;
    let mut out = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        out.push(T::deserialize(buf)?);
    }
    Ok(out)
}

impl Deserializable for String {
    fn deserialize(buf: Buffer) -> Result<Self> {
        // Telegram strings are UTF-8, but clients are not strict; never fail on bad UTF-8.
        Ok(String::from_utf8_lossy(buf.read_bytes()?).into_owned())
    }
}

impl Deserializable for Vec<u8> {
    fn deserialize(buf: Buffer) -> Result<Self> {
        Ok(buf.read_bytes()?.to_vec())
    }
}
