//! Precomputed conversion tables from one layer's schema to another's
//! (core.telegram.org/api/invoking#layers): for every source constructor and function, the
//! target with the same full name, which source field feeds each target field (same name,
//! convertible type) and whether the fields can be re-encoded in one streaming pass. Built
//! once per (layer, direction) at startup so the per-message work is a hash lookup per object.

use std::collections::HashMap;

use super::id_map::IdMap;
use super::schema::{Cond, Ctor, CtorId, ParamKind, Schema, Ty};

/// How one source constructor (or function) becomes a target one.
#[derive(Debug)]
pub(crate) struct CtorPlan {
    pub source: CtorId,
    /// `None`: the target layer has no constructor of that name (and type).
    pub target: Option<CtorId>,
    /// For each target parameter: the source parameter feeding it.
    pub source_of: Box<[Option<usize>]>,
    /// For each source parameter: the target parameter it feeds.
    pub target_of: Box<[Option<usize>]>,
    /// The fed fields keep their relative order and every target flag bit shared by several
    /// fields has one presence source, so the target can be written while reading the source.
    pub streaming: bool,
}

/// Every source constructor and function id → its plan.
#[derive(Debug)]
pub(crate) struct PairPlan {
    pub objects: IdMap<CtorPlan>,
    pub functions: IdMap<CtorPlan>,
    /// (source constructor id, name of the type expected there) → plan, for constructors of
    /// another type that clients put where Telegram accepts them (see [`COERCIONS`]).
    pub coercions: HashMap<(u32, String), CtorPlan>,
}

/// Constructors clients send in place of another type's, which Telegram accepts: the Pyrogram
/// forks put an `InputPeer` where an `InputUser` or `InputChannel` is expected (users.getUsers,
/// contacts.addContact...). (source constructor, expected type, constructor of that type with
/// the same fields.)
pub(crate) const COERCIONS: &[(&str, &str, &str)] = &[
    ("inputPeerEmpty", "InputUser", "inputUserEmpty"),
    ("inputPeerSelf", "InputUser", "inputUserSelf"),
    ("inputPeerUser", "InputUser", "inputUser"),
    (
        "inputPeerUserFromMessage",
        "InputUser",
        "inputUserFromMessage",
    ),
    ("inputPeerEmpty", "InputChannel", "inputChannelEmpty"),
    ("inputPeerChannel", "InputChannel", "inputChannel"),
    (
        "inputPeerChannelFromMessage",
        "InputChannel",
        "inputChannelFromMessage",
    ),
];

/// Whether a value of `a` (in `from`) can be re-encoded as `b` (in `to`).
pub(crate) fn convertible(a: &Ty, from: &Schema, b: &Ty, to: &Schema) -> bool {
    match (a, b) {
        (Ty::Int | Ty::Long, Ty::Int | Ty::Long)
        | (Ty::String | Ty::Bytes, Ty::String | Ty::Bytes)
        | (Ty::Double, Ty::Double)
        | (Ty::Int128, Ty::Int128)
        | (Ty::Int256, Ty::Int256)
        | (Ty::Bool, Ty::Bool)
        | (Ty::True, Ty::True)
        | (Ty::Query, Ty::Query) => true,
        (Ty::Vector(x), Ty::Vector(y)) | (Ty::BareVector(x), Ty::BareVector(y)) => {
            convertible(x, from, y, to)
        }
        (Ty::Boxed(x), Ty::Boxed(y)) => from.type_name(*x) == to.type_name(*y),
        _ => false,
    }
}

/// Where a target field's presence comes from, to compare fields sharing a flag bit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Presence {
    Never,
    Always,
    Bit(Cond),
}

fn plan_ctor(source: CtorId, target: Option<CtorId>, from: &Schema, to: &Schema) -> CtorPlan {
    let a = &from.ctors[source];
    let mut target_of = vec![None; a.params.len()];
    let Some(b) = target.and_then(|t| to.ctors.get(t)) else {
        return CtorPlan {
            source,
            target: None,
            source_of: Box::new([]),
            target_of: target_of.into_boxed_slice(),
            streaming: true,
        };
    };
    let a_fields: HashMap<&str, usize> = a
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.kind, ParamKind::Value { .. }))
        .map(|(j, p)| (p.name.as_str(), j))
        .collect();
    let mut source_of = vec![None; b.params.len()];
    for (k, bp) in b.params.iter().enumerate() {
        let ParamKind::Value { ty: b_ty, .. } = &bp.kind else {
            continue;
        };
        let Some(&j) = a_fields.get(bp.name.as_str()) else {
            continue;
        };
        if let ParamKind::Value { ty: a_ty, .. } = &a.params[j].kind {
            if convertible(a_ty, from, b_ty, to) {
                source_of[k] = Some(j);
                target_of[j] = Some(k);
            }
        }
    }
    let streaming = in_order(&source_of) && shared_bits_consistent(a, b, &source_of);
    CtorPlan {
        source,
        target,
        source_of: source_of.into_boxed_slice(),
        target_of: target_of.into_boxed_slice(),
        streaming,
    }
}

fn in_order(source_of: &[Option<usize>]) -> bool {
    let fed: Vec<usize> = source_of.iter().flatten().copied().collect();
    fed.windows(2).all(|w| w[0] < w[1])
}

/// True when all target fields sharing a flag bit are present or absent together whatever the
/// source says; otherwise a present sibling forces a default for a field with no value, which
/// only the buffered path can know before the flag word is written.
fn shared_bits_consistent(a: &Ctor, b: &Ctor, source_of: &[Option<usize>]) -> bool {
    let mut seen: Vec<(Cond, Presence)> = Vec::new();
    for (k, bp) in b.params.iter().enumerate() {
        let ParamKind::Value {
            cond: Some(b_cond), ..
        } = &bp.kind
        else {
            continue;
        };
        let presence = match source_of[k].and_then(|j| a.params.get(j)) {
            None => Presence::Never,
            Some(ap) => match &ap.kind {
                ParamKind::Value { cond: Some(c), .. } => Presence::Bit(*c),
                _ => Presence::Always,
            },
        };
        match seen.iter().find(|(c, _)| c == b_cond) {
            Some((_, earlier)) if *earlier != presence => return false,
            Some(_) => {}
            None => seen.push((*b_cond, presence)),
        }
    }
    true
}

impl PairPlan {
    /// Plans every constructor and function of `from` into `to`.
    pub fn build(from: &Schema, to: &Schema) -> PairPlan {
        let mut objects = IdMap::default();
        let mut functions = IdMap::default();
        for (source, ctor) in from.ctors.iter().enumerate() {
            match ctor.type_id {
                Some(type_id) => {
                    // Same name and same boxed type: a constructor that moved to another type
                    // could not stand where the old one stood.
                    let type_name = from.type_name(type_id);
                    let target = to.object_names.get(&ctor.name).copied().filter(|&t| {
                        to.ctors[t].type_id.map(|id| to.type_name(id)) == Some(type_name)
                    });
                    objects.insert(ctor.id, plan_ctor(source, target, from, to));
                }
                None => {
                    let target = to.function_names.get(&ctor.name).copied();
                    functions.insert(ctor.id, plan_ctor(source, target, from, to));
                }
            }
        }
        let mut coercions = HashMap::new();
        for &(source_name, expected, target_name) in COERCIONS {
            let source = from.object_names.get(source_name).copied();
            let target = to.object_names.get(target_name).copied();
            if let (Some(source), Some(target)) = (source, target) {
                let plan = plan_ctor(source, Some(target), from, to);
                coercions.insert((from.ctors[source].id, expected.to_owned()), plan);
            }
        }
        PairPlan {
            objects,
            functions,
            coercions,
        }
    }
}
