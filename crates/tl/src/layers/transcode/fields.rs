//! Re-encoding one constructor's fields (core.telegram.org/mtproto/TL-combinators#conditional-fields):
//! the target constructor id, then the target's parameters in the target's order, each fed by the
//! source field of the same name or defaulted, with every `#` flag word recomputed from which
//! conditional fields end up present.
//!
//! The streaming path writes while it reads (placeholders for flag words, patched at the end);
//! the buffered path, for the rare plans where fields were reordered or flag bits regrouped,
//! reads every source field first into a scratch buffer.

use super::{is_present, Input, Result, Transcoder};
use crate::layers::plan::CtorPlan;
use crate::layers::schema::{Ctor, ParamKind, Ty, MAX_FLAG_WORDS};
use crate::layers::LayerError;

impl Transcoder<'_> {
    /// Reads the source constructor `plan.source` (its id already read) and writes the target.
    pub(super) fn ctor(
        &self,
        input: &mut Input,
        plan: &CtorPlan,
        out: &mut Vec<u8>,
        depth: u32,
    ) -> Result<()> {
        let a = &self.from.ctors[plan.source];
        let b = plan
            .target
            .and_then(|t| self.to.ctors.get(t))
            .ok_or_else(|| LayerError::MissingInTarget {
                name: a.name.clone(),
                layer: self.to.layer,
            })?;
        out.extend(b.id.to_le_bytes());
        if plan.streaming {
            self.fields_streaming(input, plan, a, b, out, depth)
        } else {
            self.fields_buffered(input, plan, a, b, out, depth)
        }
    }

    fn fields_streaming(
        &self,
        input: &mut Input,
        plan: &CtorPlan,
        a: &Ctor,
        b: &Ctor,
        out: &mut Vec<u8>,
        depth: u32,
    ) -> Result<()> {
        let mut a_flags = [0u32; MAX_FLAG_WORDS];
        let mut b_flags = [0u32; MAX_FLAG_WORDS];
        let mut b_flag_pos = [0usize; MAX_FLAG_WORDS];
        let mut a_next = 0;
        for (k, bp) in b.params.iter().enumerate() {
            let (b_ty, b_cond) = match &bp.kind {
                ParamKind::Flags { word } => {
                    b_flag_pos[*word] = out.len();
                    out.extend([0; 4]);
                    continue;
                }
                ParamKind::Value { ty, cond } => (ty, *cond),
            };
            let mut present = false;
            if let Some(j) = plan.source_of.get(k).copied().flatten() {
                if j > a_next {
                    self.skip_params(input, plan, a_next..j, &mut a_flags, depth)?;
                }
                a_next = j + 1;
                let a_param = a.params.get(j).map(|p| &p.kind);
                if let Some(ParamKind::Value { ty: a_ty, cond }) = a_param {
                    if is_present(*cond, &a_flags) {
                        // `true` flags carry no data; most constructors have many of them.
                        if *b_ty != Ty::True {
                            self.value(input, a_ty, b_ty, out, depth, false)?;
                        }
                        present = true;
                    }
                }
            }
            match b_cond {
                Some(c) if present => b_flags[c.word] |= c.mask,
                Some(_) => {}
                None if present => {}
                None => self.to.defaults.write(self.to, b_ty, out)?,
            }
        }
        self.skip_params(input, plan, a_next..a.params.len(), &mut a_flags, depth)?;
        for word in 0..b.flag_words {
            let pos = b_flag_pos[word];
            out[pos..pos + 4].copy_from_slice(&b_flags[word].to_le_bytes());
        }
        Ok(())
    }

    fn fields_buffered(
        &self,
        input: &mut Input,
        plan: &CtorPlan,
        a: &Ctor,
        b: &Ctor,
        out: &mut Vec<u8>,
        depth: u32,
    ) -> Result<()> {
        // Every source field, re-encoded as its target field, in source order.
        let mut scratch = Vec::new();
        let mut values: Vec<Option<(usize, usize)>> = vec![None; b.params.len()];
        let mut a_flags = [0u32; MAX_FLAG_WORDS];
        for (j, ap) in a.params.iter().enumerate() {
            match (&ap.kind, plan.target_of.get(j).copied().flatten()) {
                (ParamKind::Flags { word }, _) => a_flags[*word] = input.u32()?,
                (ParamKind::Value { ty: a_ty, cond }, Some(k)) => {
                    let Some(ParamKind::Value { ty: b_ty, .. }) = b.params.get(k).map(|p| &p.kind)
                    else {
                        continue;
                    };
                    if is_present(*cond, &a_flags) {
                        let start = scratch.len();
                        self.value(input, a_ty, b_ty, &mut scratch, depth, false)?;
                        values[k] = Some((start, scratch.len()));
                    }
                }
                (ParamKind::Value { .. }, None) => {
                    self.skip_params(input, plan, j..j + 1, &mut a_flags, depth)?
                }
            }
        }

        let mut b_flags = [0u32; MAX_FLAG_WORDS];
        for (k, bp) in b.params.iter().enumerate() {
            if let (ParamKind::Value { cond: Some(c), .. }, Some(_)) = (&bp.kind, values[k]) {
                b_flags[c.word] |= c.mask;
            }
        }
        for (k, bp) in b.params.iter().enumerate() {
            match &bp.kind {
                ParamKind::Flags { word } => out.extend(b_flags[*word].to_le_bytes()),
                ParamKind::Value { ty, cond } => {
                    // A field whose bit a sibling set must be written even without a value.
                    let wanted = is_present(*cond, &b_flags);
                    match values[k] {
                        Some((start, end)) => out.extend_from_slice(&scratch[start..end]),
                        None if wanted => self.to.defaults.write(self.to, ty, out)?,
                        None => {}
                    }
                }
            }
        }
        Ok(())
    }
}
