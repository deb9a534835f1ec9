//! Hostile input (core.telegram.org/mtproto/serialize read by an untrusted peer): garbage,
//! truncation, unknown constructors, nesting bombs and huge length prefixes all fail with an
//! error — never a panic, never a large allocation.

use echo_tl::functions::{messages, users};
use echo_tl::layers::{LayerError, MAX_DEPTH};
use echo_tl::{enums, types, Identifiable};

use crate::common::{bytes_of, layers, Writer, VECTOR};
use crate::objects::sample_updates;

const JSON_ARRAY: u32 = 0xf7444763;
const JSON_NULL: u32 = 0x3f6d7b68;
const INVOKE_WITHOUT_UPDATES: u32 = 0xbf9459b7;

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn garbage_never_panics() {
    let set = layers();
    let valid = bytes_of(&sample_updates(true));
    for seed in 0..2000u64 {
        let len = (seed % 200) as usize;
        let mut junk = noise(seed, len);
        for layer in [220, 229] {
            let _ = set.request_to_newest(layer, &junk);
            let _ = set.object_to_layer(layer, "Updates", &junk);
            let _ = set.result_to_layer(layer, users::GetUsers::CONSTRUCTOR_ID, &junk);
        }
        // Plausible prefixes with junk behind them reach deeper into the parser.
        if len >= 8 {
            junk[..8].copy_from_slice(&valid[..8]);
            let _ = set.object_to_layer(220, "Updates", &junk);
        }
        // Single-byte corruption of a valid object.
        let mut corrupt = valid.clone();
        let at = (seed as usize * 7) % corrupt.len();
        corrupt[at] ^= (seed as u8) | 1;
        let _ = set.object_to_layer(220, "Updates", &corrupt);
    }
}

#[test]
fn truncated_input_is_an_error() {
    let set = layers();
    let valid = bytes_of(&sample_updates(true));
    for len in 0..valid.len() {
        assert!(
            set.object_to_layer(220, "Updates", &valid[..len]).is_err(),
            "prefix {len}"
        );
    }
    let mut longer = valid.clone();
    longer.extend([0; 4]);
    assert_eq!(
        set.object_to_layer(220, "Updates", &longer),
        Err(LayerError::TrailingBytes { len: 4 })
    );
}

#[test]
fn unknown_or_misplaced_constructors_are_errors() {
    let set = layers();
    let unknown = Writer::default().u32(0x12345678).0;
    assert!(matches!(
        set.object_to_layer(220, "Updates", &unknown),
        Err(LayerError::UnknownConstructor { id: 0x12345678, .. })
    ));
    assert!(matches!(
        set.request_to_newest(220, &unknown),
        Err(LayerError::UnknownFunction { id: 0x12345678, .. })
    ));
    // A valid User where an Updates is expected.
    let user = bytes_of(&enums::User::Empty(types::UserEmpty { id: 1 }));
    assert!(matches!(
        set.object_to_layer(220, "Updates", &user),
        Err(LayerError::UnknownConstructor { .. })
    ));
    // messages.getMessagesViews with a Bool that is neither boolTrue nor boolFalse.
    let mut call = bytes_of(&messages::GetMessagesViews {
        peer: enums::InputPeer::PeerSelf,
        id: vec![1],
        increment: true,
    });
    let n = call.len();
    call[n - 4..].copy_from_slice(&7u32.to_le_bytes());
    assert_eq!(
        set.request_to_newest(220, &call),
        Err(LayerError::InvalidBool(7))
    );
    assert!(matches!(
        set.object_to_layer(220, "NoSuchType", &call),
        Err(LayerError::UnknownType(_) | LayerError::MissingInTarget { .. })
    ));
}

fn nested_json(levels: usize) -> Vec<u8> {
    let mut w = Writer::default();
    for _ in 0..levels {
        w = w.u32(JSON_ARRAY).u32(VECTOR).u32(1);
    }
    w.u32(JSON_NULL).0
}

#[test]
fn deep_nesting_is_refused() {
    let set = layers();
    // Each level is a boxed object plus a vector: two nesting steps.
    let fine = nested_json(MAX_DEPTH as usize / 2 - 1);
    assert_eq!(
        &set.object_to_layer(220, "JSONValue", &fine).unwrap()[..],
        &fine[..]
    );
    let bomb = nested_json(MAX_DEPTH as usize);
    assert_eq!(
        set.object_to_layer(220, "JSONValue", &bomb),
        Err(LayerError::TooDeep)
    );
    let bomb = nested_json(100_000);
    assert_eq!(
        set.object_to_layer(229, "JSONValue", &bomb),
        Err(LayerError::TooDeep)
    );

    let mut w = Writer::default();
    for _ in 0..1000 {
        w = w.u32(INVOKE_WITHOUT_UPDATES);
    }
    let wrapped = w.u32(0xc4f9186b).0;
    assert_eq!(
        set.request_to_newest(220, &wrapped),
        Err(LayerError::TooDeep)
    );
}

#[test]
fn huge_lengths_do_not_allocate() {
    let set = layers();
    let get_users = users::GetUsers::CONSTRUCTOR_ID;
    let huge = Writer::default().u32(VECTOR).i32(i32::MAX).0;
    assert_eq!(
        set.result_to_layer(220, get_users, &huge),
        Err(LayerError::UnexpectedEof)
    );
    let negative = Writer::default().u32(VECTOR).i32(-1).0;
    assert_eq!(
        set.result_to_layer(220, get_users, &negative),
        Err(LayerError::BadLength)
    );
    // A vector of `true`-free empties (4 bytes each) claiming more items than bytes left.
    let mut claims = Writer::default().u32(VECTOR).i32(3).0;
    claims.extend(bytes_of(&enums::User::Empty(types::UserEmpty { id: 1 })));
    assert_eq!(
        set.result_to_layer(220, get_users, &claims),
        Err(LayerError::UnexpectedEof)
    );
    // A 16 MiB string header with a few bytes behind it.
    let mut call = Writer::default()
        .u32(messages::SendMessage::CONSTRUCTOR_ID)
        .u32(0)
        .u32(0x7da07ec9)
        .0;
    call.extend([0xfe, 0xff, 0xff, 0xff, 1, 2, 3, 4]);
    assert_eq!(
        set.request_to_newest(229, &call),
        Err(LayerError::UnexpectedEof)
    );
    let request_229 = set.request_to_layer(229, &call);
    assert_eq!(request_229, Err(LayerError::UnexpectedEof));
}
