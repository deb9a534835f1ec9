//! Serving every shipped API layer from code that only knows the newest one
//! (core.telegram.org/api/invoking#layers, /mtproto/TL, /mtproto/serialize).
//!
//! A client declares its layer with `invokeWithLayer` and from then on sends requests and expects
//! objects encoded in that layer's schema. [`LayerSet`] parses every schema in
//! `tl-schema/layers/` once at startup and re-encodes TL binary data between the newest layer and
//! an older one at runtime: constructors are matched by full name, fields by name, flag words are
//! recomputed, missing required fields get a default value and constructors the other side does
//! not know are dropped (inside vectors) or replaced by a neutral constructor of the same type.
//! Adding a layer is adding a schema file; there is no code per type.

mod defaults;
mod id_map;
mod plan;
mod schema;
mod transcode;

use std::borrow::Cow;
use std::collections::HashSet;
use std::str::FromStr;

use grammers_tl_parser::parse_tl_file;

use plan::PairPlan;
use schema::{Schema, Ty};
use transcode::Transcoder;

/// How deeply TL values may nest (vectors, boxed objects, wrapped queries) before the input is
/// rejected; legitimate data stays far below this, hostile data would otherwise recurse freely.
pub const MAX_DEPTH: u32 = 64;

/// MTProto constructors that carry API content: `gzip_packed`, `msg_container`, `message`,
/// `rpc_result`.
const MTPROTO_WRAPPERS: [&str; 4] = ["gzip_packed", "msg_container", "message", "rpc_result"];

/// Why a schema could not be loaded or a TL value could not be re-encoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayerError {
    #[error("no API layer schema is shipped")]
    NoSchemas,
    #[error("layer {layer} schema: {reason}")]
    Schema { layer: i32, reason: String },
    #[error("unexpected end of TL input")]
    UnexpectedEof,
    #[error("{len} unexpected bytes after the TL value")]
    TrailingBytes { len: usize },
    #[error("invalid length prefix in TL input")]
    BadLength,
    #[error("constructor {id:#010x} is not a {expected} in layer {layer}")]
    UnknownConstructor {
        id: u32,
        expected: String,
        layer: i32,
    },
    #[error("function {id:#010x} does not exist in layer {layer}")]
    UnknownFunction { id: u32, layer: i32 },
    #[error("{name} does not exist in layer {layer}")]
    MissingInTarget { name: String, layer: i32 },
    #[error("type {type_name} has no default value in layer {layer}")]
    NoDefault { type_name: String, layer: i32 },
    #[error("unknown type {0}")]
    UnknownType(String),
    #[error("the result of {0} depends on the query it wraps; pass the inner method id")]
    GenericResult(String),
    #[error("TL values nest deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("value {0} does not fit the int this layer expects")]
    IntOutOfRange(i64),
    #[error("{0:#010x} is neither boolTrue nor boolFalse")]
    InvalidBool(u32),
    #[error("expected a vector, found constructor {0:#010x}")]
    NotAVector(u32),
}

/// One shipped layer older than the newest, with its precomputed conversion plans.
struct OlderLayer {
    schema: Schema,
    /// This layer → newest (requests).
    up: PairPlan,
    /// Newest → this layer (results, updates).
    down: PairPlan,
}

/// The parsed schemas of every shipped layer plus the constructor mappings between the newest
/// layer and each older one; built once at startup and shared read-only.
pub struct LayerSet {
    newest: Schema,
    /// Oldest first.
    older: Vec<OlderLayer>,
    /// Base → base: requests of base-layer clients still go through the transcoder so the
    /// same coercions apply to them (plan::COERCIONS).
    identity: PairPlan,
    /// Constructor and function ids of mtproto.tl: layer independent, passed through untouched.
    mtproto_ids: HashSet<u32>,
}

impl LayerSet {
    /// The layers embedded at build time from `tl-schema/layers/` and `tl-schema/mtproto.tl`,
    /// transcoded to and from the layer the generated Rust types speak ([`crate::LAYER`]).
    pub fn embedded() -> Result<LayerSet, LayerError> {
        Self::from_texts_with_base(
            crate::schema_files::LAYER_SCHEMAS,
            crate::schema_files::MTPROTO_SCHEMA,
            crate::LAYER,
        )
    }

    /// Builds a set from schema texts (`(layer, text)`, any order) and the MTProto schema text,
    /// with the highest layer as the base.
    pub fn from_texts(layers: &[(i32, &str)], mtproto: &str) -> Result<LayerSet, LayerError> {
        let base = layers
            .iter()
            .map(|(l, _)| *l)
            .max()
            .ok_or(LayerError::NoSchemas)?;
        Self::from_texts_with_base(layers, mtproto, base)
    }

    /// Builds a set whose base (the layer the server's own objects are in) is `base`; every
    /// other layer, older or newer, is transcoded to and from it by name.
    pub fn from_texts_with_base(
        layers: &[(i32, &str)],
        mtproto: &str,
        base: i32,
    ) -> Result<LayerSet, LayerError> {
        let mut sorted: Vec<&(i32, &str)> = layers.iter().collect();
        sorted.sort_by_key(|(layer, _)| *layer);
        let base_index =
            sorted
                .iter()
                .position(|(layer, _)| *layer == base)
                .ok_or(LayerError::Schema {
                    layer: base,
                    reason: "base layer not shipped".into(),
                })?;
        let newest_entry = sorted.remove(base_index);
        let older_entries = &sorted[..];
        let newest = Schema::parse(newest_entry.0, newest_entry.1)?;
        let mut older = Vec::with_capacity(older_entries.len());
        for (layer, text) in older_entries {
            if *layer == newest.layer || older.iter().any(|o: &OlderLayer| o.schema.layer == *layer)
            {
                return Err(LayerError::Schema {
                    layer: *layer,
                    reason: "layer shipped twice".into(),
                });
            }
            let schema = Schema::parse(*layer, text)?;
            let up = PairPlan::build(&schema, &newest);
            let down = PairPlan::build(&newest, &schema);
            older.push(OlderLayer { schema, up, down });
        }
        // Wrappers whose content is layer dependent must be opened by the caller, so they are
        // not passed through.
        let mtproto_ids = parse_tl_file(mtproto)
            .filter_map(Result::ok)
            .filter(|d| !MTPROTO_WRAPPERS.contains(&d.name.as_str()))
            .map(|d| d.id)
            .collect();
        let identity = PairPlan::build(&newest, &newest);
        Ok(LayerSet {
            newest,
            older,
            identity,
            mtproto_ids,
        })
    }

    /// The base layer: the one the generated Rust types speak. (Named for history: layers
    /// above it may be shipped too and are served by the same transcoder.)
    pub fn newest(&self) -> i32 {
        self.newest.layer
    }

    /// Every shipped layer, oldest first.
    pub fn supported(&self) -> Vec<i32> {
        let mut layers: Vec<i32> = self.older.iter().map(|o| o.schema.layer).collect();
        layers.push(self.newest.layer);
        layers.sort_unstable();
        layers
    }

    /// The shipped schema to use for a client that declared `layer`: the nearest shipped layer
    /// not above it; the newest for layers above it; the oldest for layers below the oldest.
    pub fn effective(&self, layer: i32) -> i32 {
        let supported = self.supported();
        supported
            .iter()
            .rev()
            .find(|&&l| l <= layer)
            .or(supported.first())
            .copied()
            .unwrap_or(self.newest.layer)
    }

    /// The id of the constructor or function called `name` (full name, e.g. `auth.sendCode`)
    /// in the schema [`effective`](Self::effective) for `layer`.
    pub fn constructor_id(&self, layer: i32, name: &str) -> Option<u32> {
        let schema = self.schema(layer);
        schema.constructor_id(name)
    }

    /// A function call (boxed, starting with its constructor id) encoded in `layer` → newest
    /// layer. Generic wrappers (`invokeWithLayer`, `initConnection`, ...) are re-encoded with
    /// the query they wrap. MTProto service messages (`ping`, `msgs_ack`, ...) pass through
    /// unchanged; containers and `gzip_packed` are the caller's to open (they are errors here).
    pub fn request_to_newest<'a>(
        &self,
        layer: i32,
        body: &'a [u8],
    ) -> Result<Cow<'a, [u8]>, LayerError> {
        if self.is_mtproto(body) {
            return Ok(Cow::Borrowed(body));
        }
        let transcoder = match self.older(layer) {
            Some(older) => Transcoder::new(&older.schema, &self.newest, &older.up),
            None => Transcoder::new(&self.newest, &self.newest, &self.identity),
        };
        transcoder.run(&Ty::Query, &Ty::Query, body).map(Cow::Owned)
    }

    /// The inverse of [`request_to_newest`](Self::request_to_newest): a function call encoded
    /// in the newest layer → `layer` (to forward a call to an older peer, and for tests).
    pub fn request_to_layer<'a>(
        &self,
        layer: i32,
        body: &'a [u8],
    ) -> Result<Cow<'a, [u8]>, LayerError> {
        let Some(older) = self.older(layer) else {
            return Ok(Cow::Borrowed(body));
        };
        if self.is_mtproto(body) {
            return Ok(Cow::Borrowed(body));
        }
        let transcoder = Transcoder::new(&self.newest, &older.schema, &older.down);
        transcoder.run(&Ty::Query, &Ty::Query, body).map(Cow::Owned)
    }

    /// The result of a call, encoded in the newest layer, → `layer`. `method_id` is the
    /// newest-layer id of the function that was called; its return type tells how to read the
    /// result (bare results such as `Vector<long>` carry no type of their own). For generic
    /// wrappers pass the id of the innermost query.
    pub fn result_to_layer<'a>(
        &self,
        layer: i32,
        method_id: u32,
        body: &'a [u8],
    ) -> Result<Cow<'a, [u8]>, LayerError> {
        let Some(older) = self.older(layer) else {
            return Ok(Cow::Borrowed(body));
        };
        let Some(function) = self.newest.function(method_id) else {
            if self.mtproto_ids.contains(&method_id) {
                return Ok(Cow::Borrowed(body));
            }
            return Err(LayerError::UnknownFunction {
                id: method_id,
                layer: self.newest.layer,
            });
        };
        if function.result == Ty::Query {
            return Err(LayerError::GenericResult(function.name.clone()));
        }
        let target = match self.newest.translate(&function.result, &older.schema) {
            Ok(target) => target,
            Err(LayerError::MissingInTarget { .. }) => {
                return self.unwrapped_result(older, function, body).map(Cow::Owned)
            }
            Err(e) => return Err(e),
        };
        let transcoder = Transcoder::new(&self.newest, &older.schema, &older.down);
        transcoder
            .run(&function.result, &target, body)
            .map(Cow::Owned)
    }

    /// A result whose newest type the older layer lacks because the newer layer wrapped
    /// the old result in a one-field constructor (messages.importChatInvite and
    /// channels.joinChannel answered `Updates` before `messages.chatInviteJoinResultOk
    /// updates:Updates` existed): the older layer gets the wrapped field.
    fn unwrapped_result(
        &self,
        older: &OlderLayer,
        function: &schema::Ctor,
        body: &[u8],
    ) -> Result<Vec<u8>, LayerError> {
        let missing = || LayerError::MissingInTarget {
            name: function.name.clone(),
            layer: older.schema.layer,
        };
        let old_result = older
            .schema
            .function_names
            .get(&function.name)
            .and_then(|&c| older.schema.ctors.get(c))
            .map(|f| f.result.clone())
            .ok_or_else(missing)?;
        let id = body
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
            .ok_or_else(missing)?;
        let ctor = self
            .newest
            .objects
            .get(&id)
            .and_then(|&c| self.newest.ctors.get(c))
            .ok_or_else(missing)?;
        let [schema::Param {
            kind: schema::ParamKind::Value { ty, cond: None },
            ..
        }] = ctor.params.as_slice()
        else {
            return Err(missing());
        };
        if self.newest.translate(ty, &older.schema).ok().as_ref() != Some(&old_result) {
            return Err(missing());
        }
        let transcoder = Transcoder::new(&self.newest, &older.schema, &older.down);
        transcoder.run(ty, &old_result, &body[4..])
    }

    /// A value of the newest-layer type `type_name` (e.g. `Updates`, `messages.Messages`,
    /// `Vector<User>`) → `layer`; used for pushed updates.
    pub fn object_to_layer<'a>(
        &self,
        layer: i32,
        type_name: &str,
        body: &'a [u8],
    ) -> Result<Cow<'a, [u8]>, LayerError> {
        let Some(older) = self.older(layer) else {
            return Ok(Cow::Borrowed(body));
        };
        let parsed = grammers_tl_parser::tl::Type::from_str(type_name)
            .map_err(|_| LayerError::UnknownType(type_name.to_owned()))?;
        let source = self.newest.resolve(&parsed);
        let target = self.newest.translate(&source, &older.schema)?;
        let transcoder = Transcoder::new(&self.newest, &older.schema, &older.down);
        transcoder.run(&source, &target, body).map(Cow::Owned)
    }

    /// The older layer whose schema serves a client of `layer`, or `None` for the newest.
    fn older(&self, layer: i32) -> Option<&OlderLayer> {
        let effective = self.effective(layer);
        self.older.iter().find(|o| o.schema.layer == effective)
    }

    fn schema(&self, layer: i32) -> &Schema {
        self.older(layer).map(|o| &o.schema).unwrap_or(&self.newest)
    }

    fn is_mtproto(&self, body: &[u8]) -> bool {
        match body.first_chunk::<4>() {
            Some(id) => self.mtproto_ids.contains(&u32::from_le_bytes(*id)),
            None => false,
        }
    }
}

impl std::fmt::Debug for LayerSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LayerSet")
            .field("supported", &self.supported())
            .finish()
    }
}

#[cfg(test)]
mod tests;
