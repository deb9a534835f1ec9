//! Echo's TL layer: Rust types generated (build.rs, grammers-tl-gen) from the NEWEST API layer in
//! `tl-schema/layers/` plus `tl-schema/mtproto.tl`, the TL binary runtime they use, and
//! [`layers`], which re-encodes objects between the newest layer and any older layer whose
//! schema file is shipped (core.telegram.org/mtproto/TL, /api/invoking#layers).

pub mod deserialize;
mod generated;
pub mod layers;
pub mod serialize;

pub use deserialize::{Cursor, Deserializable};
pub use generated::{enums, functions, name_for_id, types, LAYER};
pub use serialize::Serializable;

/// The raw schema texts embedded at build time.
pub mod schema_files {
    include!(concat!(env!("OUT_DIR"), "/layer_schemas.rs"));
}

/// A bare `vector` (no constructor id), as used by a few MTProto types.
#[derive(Clone, Debug, PartialEq)]
pub struct RawVec<T>(pub Vec<T>);

/// Opaque bytes that are already TL-encoded.
#[derive(Clone, Debug, PartialEq)]
pub struct Blob(pub Vec<u8>);

impl From<Vec<u8>> for Blob {
    fn from(value: Vec<u8>) -> Self {
        Self(value)
    }
}

impl Serializable for Blob {
    fn serialize(&self, buf: &mut impl Extend<u8>) {
        buf.extend(self.0.iter().copied())
    }
}

/// A TL object or function with a constructor id.
pub trait Identifiable {
    const CONSTRUCTOR_ID: u32;
}

/// A TL function: what it returns.
pub trait RemoteCall: Serializable {
    type Return: Deserializable;
}
