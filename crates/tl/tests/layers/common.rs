//! Helpers for the layer tests: the embedded layer set and a tiny hand-written TL reader used to
//! check re-encoded bytes field by field against an old schema (core.telegram.org/mtproto/serialize).

use echo_tl::layers::LayerSet;
use echo_tl::Serializable;

pub const VECTOR: u32 = 0x1cb5c415;

pub fn layers() -> LayerSet {
    LayerSet::embedded().expect("embedded schemas load")
}

pub fn bytes_of(value: &impl Serializable) -> Vec<u8> {
    value.to_bytes()
}

/// Reads TL primitives from a byte slice, panicking (test-only) on malformed data.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        out
    }

    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take(4).try_into().unwrap())
    }

    pub fn i32(&mut self) -> i32 {
        self.u32() as i32
    }

    pub fn i64(&mut self) -> i64 {
        i64::from_le_bytes(self.take(8).try_into().unwrap())
    }

    pub fn bytes(&mut self) -> Vec<u8> {
        let first = self.take(1)[0];
        let (len, header) = if first < 254 {
            (first as usize, 1)
        } else {
            let b = self.take(3);
            (
                b[0] as usize | (b[1] as usize) << 8 | (b[2] as usize) << 16,
                4,
            )
        };
        let data = self.take(len).to_vec();
        self.take((4 - (header + len) % 4) % 4);
        data
    }

    pub fn string(&mut self) -> String {
        String::from_utf8(self.bytes()).unwrap()
    }

    /// Reads a constructor id and checks it.
    pub fn expect(&mut self, id: u32) {
        let got = self.u32();
        assert_eq!(
            got,
            id,
            "expected {id:#010x}, got {got:#010x} at {}",
            self.pos - 4
        );
    }

    /// The next `n` raw bytes.
    pub fn raw(&mut self, n: usize) -> &'a [u8] {
        self.take(n)
    }

    pub fn done(&self) {
        assert_eq!(self.pos, self.buf.len(), "trailing bytes");
    }
}

/// Builds TL bytes by hand, for requests encoded in an old layer.
#[derive(Default)]
pub struct Writer(pub Vec<u8>);

impl Writer {
    pub fn u32(mut self, v: u32) -> Self {
        v.serialize(&mut self.0);
        self
    }

    pub fn i32(mut self, v: i32) -> Self {
        v.serialize(&mut self.0);
        self
    }

    pub fn i64(mut self, v: i64) -> Self {
        v.serialize(&mut self.0);
        self
    }

    pub fn string(mut self, v: &str) -> Self {
        v.to_owned().serialize(&mut self.0);
        self
    }
}
