//! Default values used when a layer needs a value the other layer does not carry
//! (core.telegram.org/mtproto/serialize for the encodings): zero / empty for primitives,
//! `boolFalse`, an empty vector, and for a boxed type the encoding of its "simplest"
//! constructor — the one with the fewest required fields, counted recursively, preferring
//! `...Empty` names on ties. A second table holds the constructor that replaces one the target
//! layer does not know: a `...Unsupported` constructor of the type when there is one
//! (`messageMediaUnsupported`), else the default.

use super::schema::{Ctor, ParamKind, Schema, Ty, TypeId};
use super::LayerError;
use crate::serialize::{BOOL_FALSE, VECTOR};

/// Cost of a type that has no finite default (only self-referencing constructors).
const INFINITE: u64 = u64::MAX;

/// Per-type precomputed encodings, indexed by [`TypeId`].
#[derive(Debug, Default)]
pub(crate) struct Defaults {
    by_type: Vec<Option<Box<[u8]>>>,
    substitute: Vec<Option<Box<[u8]>>>,
}

fn ty_cost(ty: &Ty, costs: &[u64]) -> u64 {
    match ty {
        Ty::Boxed(id) => costs.get(*id).copied().unwrap_or(INFINITE),
        Ty::Query | Ty::Unresolved(_) => INFINITE,
        _ => 0,
    }
}

fn ctor_cost(ctor: &Ctor, costs: &[u64]) -> u64 {
    ctor.params.iter().fold(1u64, |total, p| match &p.kind {
        ParamKind::Value { ty, cond: None } => total.saturating_add(ty_cost(ty, costs)),
        _ => total,
    })
}

impl Defaults {
    /// Computes the tables for `schema`; constructors and types must already be loaded.
    pub fn compute(schema: &Schema) -> Defaults {
        // Fixed point of cost(type) = min over its constructors of 1 + sum(required field
        // costs): each round can only lower costs, and they are bounded below, so it ends.
        let mut costs = vec![INFINITE; schema.types.len()];
        let mut changed = true;
        while changed {
            changed = false;
            for (type_id, info) in schema.types.iter().enumerate() {
                let best = info
                    .ctors
                    .iter()
                    .filter_map(|&c| schema.ctors.get(c))
                    .map(|c| ctor_cost(c, &costs))
                    .min()
                    .unwrap_or(INFINITE);
                if best < costs[type_id] {
                    costs[type_id] = best;
                    changed = true;
                }
            }
        }

        // A chosen constructor only refers to types of strictly lower cost, so building in
        // increasing cost order always finds the children already encoded.
        let mut order: Vec<TypeId> = (0..schema.types.len()).collect();
        order.sort_by_key(|&t| costs[t]);
        let mut defaults = Defaults {
            by_type: vec![None; schema.types.len()],
            substitute: vec![None; schema.types.len()],
        };
        for type_id in order {
            if costs[type_id] == INFINITE {
                continue;
            }
            let ctors = || {
                schema.types[type_id]
                    .ctors
                    .iter()
                    .filter_map(|&c| schema.ctors.get(c))
            };
            let simplest = ctors()
                .filter(|c| ctor_cost(c, &costs) == costs[type_id])
                .min_by_key(|c| !c.name.ends_with("Empty"));
            defaults.by_type[type_id] = simplest.and_then(|c| defaults.encode(c));
        }
        // Every default exists now, so an `...Unsupported` constructor can be encoded whatever
        // its cost.
        for (type_id, info) in schema.types.iter().enumerate() {
            let unsupported = info
                .ctors
                .iter()
                .filter_map(|&c| schema.ctors.get(c))
                .filter(|c| c.name.ends_with("Unsupported"))
                .find_map(|c| defaults.encode(c));
            defaults.substitute[type_id] =
                unsupported.or_else(|| defaults.by_type[type_id].clone());
        }
        defaults
    }

    /// The encoding of `ctor` with every flag word 0 and every required field defaulted.
    fn encode(&self, ctor: &Ctor) -> Option<Box<[u8]>> {
        let mut out = ctor.id.to_le_bytes().to_vec();
        for p in &ctor.params {
            match &p.kind {
                ParamKind::Flags { .. } => out.extend([0; 4]),
                ParamKind::Value { cond: Some(_), .. } => {}
                ParamKind::Value { ty, cond: None } => {
                    if !self.write_ty(ty, &mut out) {
                        return None;
                    }
                }
            }
        }
        Some(out.into_boxed_slice())
    }

    fn write_ty(&self, ty: &Ty, out: &mut Vec<u8>) -> bool {
        match ty {
            Ty::Int | Ty::String | Ty::Bytes | Ty::BareVector(_) => out.extend([0; 4]),
            Ty::Long | Ty::Double => out.extend([0; 8]),
            Ty::Int128 => out.extend([0; 16]),
            Ty::Int256 => out.extend([0; 32]),
            Ty::Bool => out.extend(BOOL_FALSE.to_le_bytes()),
            Ty::True => {}
            Ty::Vector(_) => {
                out.extend(VECTOR.to_le_bytes());
                out.extend([0; 4]);
            }
            Ty::Boxed(id) => match self.by_type.get(*id) {
                Some(Some(bytes)) => out.extend_from_slice(bytes),
                _ => return false,
            },
            Ty::Query | Ty::Unresolved(_) => return false,
        }
        true
    }

    /// Appends the default value of `ty` (a type of `schema`).
    pub fn write(&self, schema: &Schema, ty: &Ty, out: &mut Vec<u8>) -> Result<(), LayerError> {
        if self.write_ty(ty, out) {
            return Ok(());
        }
        Err(LayerError::NoDefault {
            type_name: match ty {
                Ty::Boxed(id) => schema.type_name(*id).to_owned(),
                other => format!("{other:?}"),
            },
            layer: schema.layer,
        })
    }

    /// Appends the constructor that stands in for an unknown constructor of type `type_id`.
    pub fn write_substitute(
        &self,
        schema: &Schema,
        type_id: TypeId,
        out: &mut Vec<u8>,
    ) -> Result<(), LayerError> {
        match self.substitute.get(type_id) {
            Some(Some(bytes)) => {
                out.extend_from_slice(bytes);
                Ok(())
            }
            _ => Err(LayerError::NoDefault {
                type_name: schema.type_name(type_id).to_owned(),
                layer: schema.layer,
            }),
        }
    }
}
