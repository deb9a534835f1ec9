//! A `HashMap` keyed by TL constructor ids (core.telegram.org/mtproto/TL#tl-language): the ids
//! are CRC32 values, already uniformly spread, so one multiply is enough hashing and far
//! cheaper than SipHash on the per-object lookups of the transcoder.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Constructor id → `V`.
pub(crate) type IdMap<V> = HashMap<u32, V, BuildHasherDefault<IdHasher>>;

/// Spreads a `u32` over all 64 bits (the map uses the top bits as tags).
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only reached for non-u32 keys, which this map never has; stay correct anyway.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u32(&mut self, id: u32) {
        self.0 = u64::from(id).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_work() {
        let mut map: IdMap<&str> = IdMap::default();
        map.insert(0xb1b8cc83, "user");
        map.insert(0x31774388, "old user");
        assert_eq!(map.get(&0xb1b8cc83), Some(&"user"));
        assert_eq!(map.get(&0x31774388), Some(&"old user"));
        assert_eq!(map.get(&1), None);
    }
}
