//! Unit tests of the transcoder on two small hand-written layers that exercise what the real
//! schemas rarely do: reordered fields, a flag bit shared by an old and a new field, int → long,
//! removed constructors, a constructor that changed type, and defaults for recursive types.

use super::schema::{Schema, Ty};
use super::{LayerError, LayerSet};

const OLD: &str = "
peerUser#100 user_id:int = Peer;
peerOld#101 = Peer;
color#200 flags:# a:flags.0?int = Color;
thing#300 flags:# big:flags.0?true x:int name:string peer:Peer = Thing;
box#400 items:Vector<Peer> = Box;
mediaEmpty#500 = Media;
mediaUnsupported#501 = Media;
mediaOld#502 x:int = Media;
holder#600 media:Media = Holder;
moved#700 = Left;
keeper#710 left:Left = Keeper;
---functions---
wrap#901 {X:Type} n:int query:!X = X;
getThing#902 peer:Peer = Thing;
oldOnly#903 = Bool;
getIds#904 = Vector<long>;
";

const NEW: &str = "
peerUser#110 user_id:long = Peer;
peerNew#111 = Peer;
color#200 flags:# a:flags.0?int = Color;
thing#310 flags:# big:flags.0?true huge:flags.0?int peer:Peer x:int name:string color:Color extra:flags.1?string = Thing;
box#400 items:Vector<Peer> = Box;
mediaEmpty#500 = Media;
mediaUnsupported#501 = Media;
holder#600 media:Media = Holder;
moved#720 = Right;
leftEmpty#730 = Left;
keeper#710 left:Left = Keeper;
---functions---
wrap#901 {X:Type} n:int query:!X = X;
getThing#902 peer:Peer = Thing;
getIds#904 = Vector<long>;
";

fn set() -> LayerSet {
    LayerSet::from_texts(&[(2, NEW), (1, OLD)], "").unwrap()
}

/// Little-endian concatenation of 32-bit words.
fn words(ws: &[u32]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn layer_selection() {
    let set = set();
    assert_eq!(set.newest(), 2);
    assert_eq!(set.supported(), vec![1, 2]);
    assert_eq!(set.effective(0), 1);
    assert_eq!(set.effective(1), 1);
    assert_eq!(set.effective(5), 2);
    assert_eq!(set.constructor_id(1, "thing"), Some(0x300));
    assert_eq!(set.constructor_id(2, "thing"), Some(0x310));
    assert_eq!(set.constructor_id(2, "getIds"), Some(0x904));
}

#[test]
fn reordered_fields_shared_bit_and_required_default() {
    let set = set();
    // thing(flags=1 big, x=7, name="ab", peer=peerUser(-5))
    let old = cat(&[
        &words(&[0x300, 1, 7]),
        &[2, b'a', b'b', 0],
        &words(&[0x100, -5i32 as u32]),
    ]);
    let new = set.object_to_layer(2, "Thing", &old).unwrap();
    assert_eq!(&new[..], &old[..], "newest layer is passed through");

    // Old → new goes through the buffered path: `peer` moved before `x`.
    let plan = &set.older[0].up.objects[&0x300];
    assert!(!plan.streaming);
    let call = cat(&[&words(&[0x902]), &old[old.len() - 8..]]);
    let up = set.request_to_newest(1, &call).unwrap();
    assert_eq!(
        &up[..],
        &cat(&[&words(&[0x902, 0x110]), &(-5i64).to_le_bytes()])[..]
    );

    let old_schema = &set.older[0].schema;
    let thing = Ty::Boxed(old_schema.type_names["Thing"]);
    let target = old_schema.translate(&thing, &set.newest).unwrap();
    let t = super::transcode::Transcoder::new(old_schema, &set.newest, &set.older[0].up);
    let out = t.run(&thing, &target, &old).unwrap();
    let expected = cat(&[
        // flags: bit 0 (big, and `huge` which shares it and gets a default 0)
        &words(&[0x310, 1, 0]),
        &words(&[0x110]),
        &(-5i64).to_le_bytes(),
        &words(&[7]),
        &[2, b'a', b'b', 0],
        // color: required in the new layer, defaulted to color with no flags
        &words(&[0x200, 0]),
    ]);
    assert_eq!(out, expected);
}

#[test]
fn long_to_int_is_range_checked() {
    let set = set();
    let fits = cat(&[&words(&[0x110]), &42i64.to_le_bytes()]);
    let down = set.object_to_layer(1, "Peer", &fits).unwrap();
    assert_eq!(&down[..], &words(&[0x100, 42])[..]);
    let too_big = cat(&[&words(&[0x110]), &(1i64 << 40).to_le_bytes()]);
    assert_eq!(
        set.object_to_layer(1, "Peer", &too_big),
        Err(LayerError::IntOutOfRange(1 << 40))
    );
}

#[test]
fn unknown_constructors_drop_in_vectors_and_substitute_elsewhere() {
    let set = set();
    // box([peerNew, peerUser(3), peerNew]) → old: only peerUser(3) survives.
    let new_box = cat(&[
        &words(&[0x400, 0x1cb5c415, 3, 0x111, 0x110]),
        &3i64.to_le_bytes(),
        &words(&[0x111]),
    ]);
    let down = set.object_to_layer(1, "Box", &new_box).unwrap();
    assert_eq!(&down[..], &words(&[0x400, 0x1cb5c415, 1, 0x100, 3])[..]);

    // getThing(peerOld) → new: peerOld is gone; Peer has no `...Unsupported`, so the simplest
    // constructor (the first of the cheapest) stands in.
    let call = words(&[0x902, 0x101]);
    let up = set.request_to_newest(1, &call).unwrap();
    assert_eq!(&up[..], &words(&[0x902, 0x110, 0, 0])[..]);

    // holder(mediaOld(9)) → new: mediaOld is gone, mediaUnsupported stands in.
    let holder = words(&[0x600, 0x502, 9]);
    let old_schema = &set.older[0].schema;
    let ty = Ty::Boxed(old_schema.type_names["Holder"]);
    let target = old_schema.translate(&ty, &set.newest).unwrap();
    let t = super::transcode::Transcoder::new(old_schema, &set.newest, &set.older[0].up);
    assert_eq!(
        t.run(&ty, &target, &holder).unwrap(),
        words(&[0x600, 0x501])
    );

    // keeper(moved): `moved` now belongs to another type, so it is not a Left any more.
    let keeper = words(&[0x710, 0x700]);
    let ty = Ty::Boxed(old_schema.type_names["Keeper"]);
    let target = old_schema.translate(&ty, &set.newest).unwrap();
    assert_eq!(
        t.run(&ty, &target, &keeper).unwrap(),
        words(&[0x710, 0x730])
    );
}

#[test]
fn generic_wrappers_and_functions() {
    let set = set();
    let call = words(&[0x901, 77, 0x902, 0x100, 8]);
    let up = set.request_to_newest(1, &call).unwrap();
    let expected = cat(&[&words(&[0x901, 77, 0x902, 0x110]), &8i64.to_le_bytes()]);
    assert_eq!(&up[..], &expected[..]);

    assert_eq!(
        set.request_to_newest(1, &words(&[0x903])),
        Err(LayerError::MissingInTarget {
            name: "oldOnly".into(),
            layer: 2
        })
    );
    assert!(matches!(
        set.request_to_newest(1, &words(&[0xdead])),
        Err(LayerError::UnknownFunction { id: 0xdead, .. })
    ));
    assert!(matches!(
        set.result_to_layer(1, 0x901, &[]),
        Err(LayerError::GenericResult(_))
    ));
    // A bare result typed only by the method's return type.
    let ids = cat(&[&words(&[0x1cb5c415, 1]), &5i64.to_le_bytes()]);
    assert_eq!(&set.result_to_layer(1, 0x904, &ids).unwrap()[..], &ids[..]);
}

#[test]
fn trailing_and_truncated_input() {
    let set = set();
    let call = words(&[0x902, 0x100, 8, 0]);
    assert_eq!(
        set.request_to_newest(1, &call),
        Err(LayerError::TrailingBytes { len: 4 })
    );
    assert_eq!(
        set.request_to_newest(1, &call[..10]),
        Err(LayerError::UnexpectedEof)
    );
}

#[test]
fn defaults_prefer_simple_constructors_and_refuse_endless_ones() {
    let schema = Schema::parse(
        1,
        "node#800 next:Node = Node;
         branch#802 l:Tree r:Tree = Tree;
         leafEmpty#801 = Tree;
         pair#803 a:Tree b:int = Pair;",
    )
    .unwrap();
    let mut out = Vec::new();
    let node = Ty::Boxed(schema.type_names["Node"]);
    assert!(matches!(
        schema.defaults.write(&schema, &node, &mut out),
        Err(LayerError::NoDefault { .. })
    ));
    let pair = Ty::Boxed(schema.type_names["Pair"]);
    schema.defaults.write(&schema, &pair, &mut out).unwrap();
    assert_eq!(out, words(&[0x803, 0x801, 0]));
}

#[test]
fn layer_set_is_shareable_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<LayerSet>();
}

#[test]
fn embedded_plans_summary() {
    let set = LayerSet::embedded().unwrap();
    for older in &set.older {
        for (direction, plan) in [("up", &older.up), ("down", &older.down)] {
            let all = plan.objects.values().chain(plan.functions.values());
            let (mut unmapped, mut buffered, mut total) = (0, Vec::new(), 0);
            let source = if direction == "up" {
                &older.schema
            } else {
                &set.newest
            };
            for p in all {
                total += 1;
                unmapped += usize::from(p.target.is_none());
                if p.target.is_some() && !p.streaming {
                    buffered.push(source.ctors[p.source].name.as_str());
                }
            }
            println!(
                "layer {} {direction}: {total} plans, {unmapped} without target, buffered: {buffered:?}",
                older.schema.layer
            );
        }
    }
}

#[test]
fn join_results_unwrap_to_updates_for_older_layers() {
    // Layer 220's messages.importChatInvite and channels.joinChannel answer Updates; the
    // newest layers wrap them in messages.chatInviteJoinResultOk.
    let set = LayerSet::embedded().unwrap();
    let too_long = words(&[0xe317af7e]);
    let wrapped = cat(&[&words(&[0x445663a7]), &too_long]);
    for method in ["messages.importChatInvite", "channels.joinChannel"] {
        let id = set.constructor_id(set.newest(), method).unwrap();
        assert_eq!(
            &set.result_to_layer(220, id, &wrapped).unwrap()[..],
            &too_long[..],
            "{method}"
        );
        assert_eq!(
            &set.result_to_layer(229, id, &wrapped).unwrap()[..],
            &wrapped[..],
            "{method} in 229 keeps its wrapper"
        );
    }
    // Any other constructor is not unwrapped.
    let web_view = words(&[0x61ca29d3, 0, 0, 0, 0, 0x1cb5c415, 0]);
    let id = set
        .constructor_id(set.newest(), "messages.importChatInvite")
        .unwrap();
    assert!(set.result_to_layer(220, id, &web_view).is_err());
}
