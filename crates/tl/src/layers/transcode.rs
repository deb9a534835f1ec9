//! The runtime re-encoder: reads TL binary data (core.telegram.org/mtproto/serialize) typed by
//! one layer's schema and writes the same values typed by another's, following a [`PairPlan`].
//! The input is untrusted: every read is bounds-checked, nesting is limited to [`MAX_DEPTH`],
//! vector counts are checked against the bytes left before looping, and unknown constructor
//! ids are errors. The output grows only with what is read plus bounded defaults.

use super::plan::{CtorPlan, PairPlan};
use super::schema::{ParamKind, Schema, Ty, TypeId, MAX_FLAG_WORDS};
use super::{LayerError, MAX_DEPTH};
use crate::serialize::{BOOL_FALSE, BOOL_TRUE, VECTOR};

mod fields;

type Result<T> = std::result::Result<T, LayerError>;

/// One re-encoding from schema `from` to schema `to`.
pub(crate) struct Transcoder<'s> {
    from: &'s Schema,
    to: &'s Schema,
    plan: &'s PairPlan,
}

/// A read position in the input.
struct Input<'i> {
    bytes: &'i [u8],
    pos: usize,
}

impl<'i> Input<'i> {
    fn take(&mut self, n: usize) -> Result<&'i [u8]> {
        let end = self.pos.checked_add(n).ok_or(LayerError::UnexpectedEof)?;
        let out = self
            .bytes
            .get(self.pos..end)
            .ok_or(LayerError::UnexpectedEof)?;
        self.pos = end;
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i64(&mut self) -> Result<i64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_le_bytes(a))
    }

    /// A whole `bytes`/`string` value, length header and padding included.
    fn raw_bytes(&mut self) -> Result<&'i [u8]> {
        let start = self.pos;
        let first = self.take(1)?[0];
        let (len, header) = match first {
            0..=253 => (usize::from(first), 1),
            254 => {
                let b = self.take(3)?;
                (
                    usize::from(b[0]) | usize::from(b[1]) << 8 | usize::from(b[2]) << 16,
                    4,
                )
            }
            255 => return Err(LayerError::BadLength),
        };
        let padding = (4 - (header + len) % 4) % 4;
        self.take(len + padding)?;
        self.bytes
            .get(start..self.pos)
            .ok_or(LayerError::UnexpectedEof)
    }

    /// A vector count, checked against what is left (every item takes at least `min_size`).
    fn count(&mut self, min_size: usize) -> Result<u32> {
        let count = u32::try_from(self.u32()? as i32).map_err(|_| LayerError::BadLength)?;
        let needed = (count as usize).saturating_mul(min_size.max(1));
        if needed > self.bytes.len().saturating_sub(self.pos) {
            return Err(LayerError::UnexpectedEof);
        }
        Ok(count)
    }
}

/// The fewest bytes one value of `ty` can take, to bound vector counts.
fn min_size(ty: &Ty) -> usize {
    match ty {
        Ty::Long | Ty::Double => 8,
        Ty::Int128 => 16,
        Ty::Int256 => 32,
        Ty::Vector(_) => 8,
        Ty::True => 0,
        _ => 4,
    }
}

fn check_depth(depth: u32) -> Result<u32> {
    if depth >= MAX_DEPTH {
        return Err(LayerError::TooDeep);
    }
    Ok(depth + 1)
}

fn is_present(cond: Option<super::schema::Cond>, flags: &[u32; MAX_FLAG_WORDS]) -> bool {
    cond.is_none_or(|c| flags[c.word] & c.mask != 0)
}

impl<'s> Transcoder<'s> {
    pub fn new(from: &'s Schema, to: &'s Schema, plan: &'s PairPlan) -> Self {
        Self { from, to, plan }
    }

    /// Re-encodes exactly one value of type `a` (in `from`) as type `b` (in `to`).
    pub fn run(&self, a: &Ty, b: &Ty, bytes: &[u8]) -> Result<Vec<u8>> {
        let mut input = Input { bytes, pos: 0 };
        let mut out = Vec::with_capacity(bytes.len() + 64);
        self.value(&mut input, a, b, &mut out, 0, false)?;
        match bytes.len() - input.pos {
            0 => Ok(out),
            len => Err(LayerError::TrailingBytes { len }),
        }
    }

    /// Returns false when the value was dropped (an unknown constructor directly inside a
    /// vector, `in_vector`), true when something was written.
    fn value(
        &self,
        input: &mut Input,
        a: &Ty,
        b: &Ty,
        out: &mut Vec<u8>,
        depth: u32,
        in_vector: bool,
    ) -> Result<bool> {
        match (a, b) {
            (Ty::Int, Ty::Int) | (Ty::Long, Ty::Long) | (Ty::Double, Ty::Double) => {
                out.extend_from_slice(input.take(min_size(a))?)
            }
            (Ty::Int128, Ty::Int128) | (Ty::Int256, Ty::Int256) => {
                out.extend_from_slice(input.take(min_size(a))?)
            }
            (Ty::Int, Ty::Long) => {
                let v = input.u32()? as i32;
                out.extend(i64::from(v).to_le_bytes());
            }
            (Ty::Long, Ty::Int) => {
                let v = input.i64()?;
                let v = i32::try_from(v).map_err(|_| LayerError::IntOutOfRange(v))?;
                out.extend(v.to_le_bytes());
            }
            (Ty::String | Ty::Bytes, Ty::String | Ty::Bytes) => {
                out.extend_from_slice(input.raw_bytes()?)
            }
            (Ty::Bool, Ty::Bool) => match input.u32()? {
                id @ (BOOL_TRUE | BOOL_FALSE) => out.extend(id.to_le_bytes()),
                id => return Err(LayerError::InvalidBool(id)),
            },
            (Ty::True, Ty::True) => {}
            (Ty::Vector(x), Ty::Vector(y)) => {
                let depth = check_depth(depth)?;
                match input.u32()? {
                    VECTOR => out.extend(VECTOR.to_le_bytes()),
                    id => return Err(LayerError::NotAVector(id)),
                }
                self.items(input, x, y, out, depth)?;
            }
            (Ty::BareVector(x), Ty::BareVector(y)) => {
                let depth = check_depth(depth)?;
                self.items(input, x, y, out, depth)?;
            }
            (Ty::Boxed(x), Ty::Boxed(y)) => {
                return self.boxed(input, *x, *y, out, depth, in_vector)
            }
            (Ty::Query, Ty::Query) => {
                let depth = check_depth(depth)?;
                let id = input.u32()?;
                let plan = self.plan.functions.get(&id);
                let plan = plan.ok_or(LayerError::UnknownFunction {
                    id,
                    layer: self.from.layer,
                })?;
                if plan.target.is_none() {
                    return Err(LayerError::MissingInTarget {
                        name: self.from.ctors[plan.source].name.clone(),
                        layer: self.to.layer,
                    });
                }
                self.ctor(input, plan, out, depth)?;
            }
            (Ty::Unresolved(name), _) | (_, Ty::Unresolved(name)) => {
                return Err(LayerError::UnknownType(name.to_string()))
            }
            (a, b) => return Err(LayerError::UnknownType(format!("{a:?} as {b:?}"))),
        }
        Ok(true)
    }

    /// A vector's count and items; unknown constructors among the items are dropped.
    fn items(
        &self,
        input: &mut Input,
        x: &Ty,
        y: &Ty,
        out: &mut Vec<u8>,
        depth: u32,
    ) -> Result<()> {
        let count = input.count(min_size(x))?;
        let count_pos = out.len();
        out.extend([0; 4]);
        let mut written: u32 = 0;
        for _ in 0..count {
            if self.value(input, x, y, out, depth, true)? {
                written += 1;
            }
        }
        out[count_pos..count_pos + 4].copy_from_slice(&written.to_le_bytes());
        Ok(())
    }

    fn boxed(
        &self,
        input: &mut Input,
        a_type: TypeId,
        b_type: TypeId,
        out: &mut Vec<u8>,
        depth: u32,
        in_vector: bool,
    ) -> Result<bool> {
        let depth = check_depth(depth)?;
        let id = input.u32()?;
        let plan = self
            .plan
            .objects
            .get(&id)
            .filter(|p| self.from.ctors[p.source].type_id == Some(a_type))
            .or_else(|| {
                let expected = self.from.type_name(a_type);
                self.plan.coercions.get(&(id, expected.to_owned()))
            })
            .ok_or_else(|| LayerError::UnknownConstructor {
                id,
                expected: self.from.type_name(a_type).to_owned(),
                layer: self.from.layer,
            })?;
        if plan.target.is_some() {
            self.ctor(input, plan, out, depth)?;
            return Ok(true);
        }
        // The target layer does not know this constructor: read past it, then leave it out of
        // a vector or put the type's stand-in where a value is required.
        let mut flags = [0u32; MAX_FLAG_WORDS];
        self.skip_params(
            input,
            plan,
            0..self.from.ctors[plan.source].params.len(),
            &mut flags,
            depth,
        )?;
        if in_vector {
            return Ok(false);
        }
        self.to.defaults.write_substitute(self.to, b_type, out)?;
        Ok(true)
    }

    /// Reads the source parameters in `range` of a constructor, keeping flag words and
    /// discarding values.
    fn skip_params(
        &self,
        input: &mut Input,
        plan: &CtorPlan,
        range: std::ops::Range<usize>,
        flags: &mut [u32; MAX_FLAG_WORDS],
        depth: u32,
    ) -> Result<()> {
        let params = &self.from.ctors[plan.source].params;
        for param in params.get(range).unwrap_or_default() {
            match &param.kind {
                ParamKind::Flags { word } => flags[*word] = input.u32()?,
                ParamKind::Value { ty, cond } => {
                    if is_present(*cond, flags) {
                        self.skip(input, ty, depth)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Reads past one value of source type `ty`, validating it like [`Self::value`] does.
    fn skip(&self, input: &mut Input, ty: &Ty, depth: u32) -> Result<()> {
        match ty {
            Ty::String | Ty::Bytes => {
                input.raw_bytes()?;
            }
            Ty::Bool => match input.u32()? {
                BOOL_TRUE | BOOL_FALSE => {}
                id => return Err(LayerError::InvalidBool(id)),
            },
            Ty::True => {}
            Ty::Vector(x) | Ty::BareVector(x) => {
                let depth = check_depth(depth)?;
                if matches!(ty, Ty::Vector(_)) {
                    match input.u32()? {
                        VECTOR => {}
                        id => return Err(LayerError::NotAVector(id)),
                    }
                }
                for _ in 0..input.count(min_size(x))? {
                    self.skip(input, x, depth)?;
                }
            }
            Ty::Boxed(type_id) => {
                let depth = check_depth(depth)?;
                let id = input.u32()?;
                let plan = self
                    .plan
                    .objects
                    .get(&id)
                    .filter(|p| self.from.ctors[p.source].type_id == Some(*type_id))
                    .ok_or_else(|| LayerError::UnknownConstructor {
                        id,
                        expected: self.from.type_name(*type_id).to_owned(),
                        layer: self.from.layer,
                    })?;
                let mut flags = [0u32; MAX_FLAG_WORDS];
                let len = self.from.ctors[plan.source].params.len();
                self.skip_params(input, plan, 0..len, &mut flags, depth)?;
            }
            Ty::Query => {
                let depth = check_depth(depth)?;
                let id = input.u32()?;
                let plan = self
                    .plan
                    .functions
                    .get(&id)
                    .ok_or(LayerError::UnknownFunction {
                        id,
                        layer: self.from.layer,
                    })?;
                let mut flags = [0u32; MAX_FLAG_WORDS];
                let len = self.from.ctors[plan.source].params.len();
                self.skip_params(input, plan, 0..len, &mut flags, depth)?;
            }
            Ty::Unresolved(name) => return Err(LayerError::UnknownType(name.to_string())),
            fixed => {
                input.take(min_size(fixed))?;
            }
        }
        Ok(())
    }
}
