//! TL deserialization of arbitrary function calls at every supported layer: byte 0 picks the
//! client's layer (220, 229, 230), the rest is a call as that client would send it. It is
//! re-encoded to the newest layer (`LayerSet::request_to_newest`, core.telegram.org/api/invoking
//! for the wrappers), then the result and the raw bytes go through generated deserializers of
//! the calls and types the server reads most. Errors are fine; panics and huge allocations not.
#![no_main]

use echo_fuzz::{layer_set, LAYERS};
use echo_tl::{enums, functions, Deserializable};
use libfuzzer_sys::fuzz_target;

fn decode_all(body: &[u8]) {
    // A function's fields follow its constructor id, as the server's router reads them.
    let args = body.get(4..).unwrap_or_default();
    let _ = functions::InvokeWithLayer::<Vec<u8>>::from_bytes(args);
    let _ = functions::InitConnection::<Vec<u8>>::from_bytes(args);
    let _ = functions::messages::SendMessage::from_bytes(args);
    let _ = functions::messages::GetHistory::from_bytes(args);
    let _ = functions::auth::SendCode::from_bytes(args);
    let _ = functions::updates::GetDifference::from_bytes(args);
    let _ = enums::Updates::from_bytes(body);
    let _ = enums::Message::from_bytes(body);
    let _ = enums::InputMedia::from_bytes(body);
    let _ = enums::User::from_bytes(body);
    let _ = enums::messages::Messages::from_bytes(body);
    let _ = <Vec<enums::MessageEntity>>::from_bytes(body);
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let layers = layer_set();
    let layer = LAYERS[usize::from(pick) % LAYERS.len()];
    if let Ok(newest) = layers.request_to_newest(layer, body) {
        decode_all(&newest);
        // Back to the client's layer, as results and pushes travel.
        let _ = layers.request_to_layer(layer, &newest);
    }
    decode_all(body);
});
