//! Integration tests of the layer transcoder (`echo_tl::layers`, core.telegram.org/api/invoking#layers)
//! against the shipped schemas: objects built with the generated newest-layer types are re-encoded
//! for layers 220 and 229 and read back by hand per the old schema; calls round-trip
//! old → newest → old; hostile input fails cleanly.

#[path = "layers/common.rs"]
mod common;
#[path = "layers/objects.rs"]
mod objects;
#[path = "layers/requests.rs"]
mod requests;
#[path = "layers/safety.rs"]
mod safety;
#[path = "layers/schemas.rs"]
mod schemas;
#[path = "layers/throughput.rs"]
mod throughput;
