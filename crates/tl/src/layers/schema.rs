//! One API layer's schema (core.telegram.org/mtproto/TL, /mtproto/TL-combinators) turned into
//! tables the transcoder walks: constructors and functions by id and by full name, boxed types
//! with their constructors, parameter types resolved to [`Ty`] and flag conditions resolved to
//! (flag word, bit mask). Built-in types (`Bool`, `true`, `Vector`, primitives) are handled
//! natively, so schemas that comment their lines out (Pyrogram's) and those that list them load
//! the same way.

use std::collections::HashMap;

use grammers_tl_parser::parse_tl_file;
use grammers_tl_parser::tl::{Category, Definition, ParameterType, Type};

use super::defaults::Defaults;
use super::id_map::IdMap;
use super::LayerError;

/// Index into [`Schema::ctors`].
pub(crate) type CtorId = usize;
/// Index into [`Schema::types`].
pub(crate) type TypeId = usize;

/// Most flag words (`flags:#`, `flags2:#`, ...) one constructor may have.
pub(crate) const MAX_FLAG_WORDS: usize = 8;

/// Built-ins declared by some schema files and implied by others; handled natively.
const NATIVE_BUILTINS: [&str; 4] = ["boolFalse", "boolTrue", "true", "vector"];
/// Built-in constructors added when a schema file has them commented out.
const ADDED_BUILTINS: [&str; 2] = [
    "error#c4b9f9bb code:int text:string = Error",
    "null#56730bcc = Null",
];

/// A parameter type, resolved against one schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Int,
    Long,
    Double,
    Int128,
    Int256,
    String,
    Bytes,
    /// Boxed `boolTrue`/`boolFalse`.
    Bool,
    /// `true`: no data; presence is its flag bit.
    True,
    /// Boxed `Vector<T>`: constructor id, count, items.
    Vector(Box<Ty>),
    /// Bare `vector<T>`: count, items.
    BareVector(Box<Ty>),
    /// A boxed type of this schema.
    Boxed(TypeId),
    /// `!X`: a boxed function call of this schema.
    Query,
    /// A name the schema uses but never defines.
    Unresolved(Box<str>),
}

/// Where a conditional field's presence bit lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cond {
    /// Which flag word, counting the constructor's `#` parameters from 0.
    pub word: usize,
    pub mask: u32,
}

#[derive(Debug)]
pub(crate) enum ParamKind {
    /// A `#` flag word; the index counts flag words in this constructor.
    Flags {
        word: usize,
    },
    Value {
        ty: Ty,
        cond: Option<Cond>,
    },
}

#[derive(Debug)]
pub(crate) struct Param {
    pub name: String,
    pub kind: ParamKind,
}

/// A constructor or a function.
#[derive(Debug)]
pub(crate) struct Ctor {
    pub id: u32,
    /// Full name including namespace, e.g. `auth.sentCode`.
    pub name: String,
    /// The boxed type a constructor belongs to; `None` for functions.
    pub type_id: Option<TypeId>,
    /// What a function returns (`Ty::Query` for `X`); `Ty::Boxed(type_id)` for constructors.
    pub result: Ty,
    pub params: Vec<Param>,
    pub flag_words: usize,
}

#[derive(Debug)]
pub(crate) struct TypeInfo {
    pub name: String,
    pub ctors: Vec<CtorId>,
}

/// One layer's parsed schema.
#[derive(Debug)]
pub(crate) struct Schema {
    pub layer: i32,
    pub ctors: Vec<Ctor>,
    pub objects: IdMap<CtorId>,
    pub functions: IdMap<CtorId>,
    pub object_names: HashMap<String, CtorId>,
    pub function_names: HashMap<String, CtorId>,
    pub types: Vec<TypeInfo>,
    pub type_names: HashMap<String, TypeId>,
    pub defaults: Defaults,
}

fn full_type_name(ty: &Type) -> String {
    let mut name = ty.namespace.join(".");
    if !name.is_empty() {
        name.push('.');
    }
    name.push_str(&ty.name);
    name
}

impl Schema {
    /// Parses a schema file. Lines the TL parser rejects (the `vector` built-in, comments) are
    /// skipped; inconsistent definitions are errors.
    pub fn parse(layer: i32, text: &str) -> Result<Schema, LayerError> {
        let schema_error = |reason: String| LayerError::Schema { layer, reason };
        let mut definitions: Vec<Definition> = parse_tl_file(text)
            .filter_map(Result::ok)
            .filter(|d| !NATIVE_BUILTINS.contains(&d.full_name().as_str()))
            .collect();
        for builtin in ADDED_BUILTINS {
            let extra = parse_tl_file(builtin).filter_map(Result::ok);
            for d in extra {
                if !definitions.iter().any(|e| e.full_name() == d.full_name()) {
                    definitions.push(d);
                }
            }
        }

        // Boxed types first, so that parameter types can be resolved against them.
        let mut types: Vec<TypeInfo> = Vec::new();
        let mut type_names: HashMap<String, TypeId> = HashMap::new();
        for d in definitions.iter().filter(|d| d.category == Category::Types) {
            let name = full_type_name(&d.ty);
            if !type_names.contains_key(&name) {
                type_names.insert(name.clone(), types.len());
                types.push(TypeInfo {
                    name,
                    ctors: Vec::new(),
                });
            }
        }

        let mut schema = Schema {
            layer,
            ctors: Vec::with_capacity(definitions.len()),
            objects: IdMap::default(),
            functions: IdMap::default(),
            object_names: HashMap::new(),
            function_names: HashMap::new(),
            types,
            type_names,
            defaults: Defaults::default(),
        };
        for d in &definitions {
            // tdesktop-derived schemas add `fooPrefix#<id of foo> ... = Error;` helper lines that
            // reuse the id of the real function `foo`; they are not part of the protocol.
            if let Some(real) = d.name.strip_suffix("Prefix") {
                if definitions.iter().any(|o| o.id == d.id && o.name == real) {
                    continue;
                }
            }
            let ctor = schema.build_ctor(d).map_err(schema_error)?;
            let index = schema.ctors.len();
            let (ids, names) = match ctor.type_id {
                Some(type_id) => {
                    if let Some(info) = schema.types.get_mut(type_id) {
                        info.ctors.push(index);
                    }
                    (&mut schema.objects, &mut schema.object_names)
                }
                None => (&mut schema.functions, &mut schema.function_names),
            };
            if ids.insert(ctor.id, index).is_some() {
                return Err(schema_error(format!("duplicate id {:#010x}", ctor.id)));
            }
            if names.insert(ctor.name.clone(), index).is_some() {
                return Err(schema_error(format!("duplicate name {}", ctor.name)));
            }
            schema.ctors.push(ctor);
        }
        schema.defaults = Defaults::compute(&schema);
        Ok(schema)
    }

    fn build_ctor(&self, d: &Definition) -> Result<Ctor, String> {
        let name = d.full_name();
        let mut params = Vec::with_capacity(d.params.len());
        let mut flag_names: Vec<&str> = Vec::new();
        for p in &d.params {
            let kind = match &p.ty {
                ParameterType::Flags => {
                    flag_names.push(&p.name);
                    if flag_names.len() > MAX_FLAG_WORDS {
                        return Err(format!("{name}: too many flag words"));
                    }
                    ParamKind::Flags {
                        word: flag_names.len() - 1,
                    }
                }
                ParameterType::Normal { ty, flag } => {
                    let cond = match flag {
                        None => None,
                        Some(flag) => {
                            let word = flag_names.iter().position(|n| *n == flag.name).ok_or_else(
                                || format!("{name}: unknown flag word {}", flag.name),
                            )?;
                            let bit = u32::try_from(flag.index)
                                .ok()
                                .filter(|b| *b < 32)
                                .ok_or_else(|| format!("{name}: flag bit {}", flag.index))?;
                            Some(Cond {
                                word,
                                mask: 1 << bit,
                            })
                        }
                    };
                    ParamKind::Value {
                        ty: self.resolve(ty),
                        cond,
                    }
                }
            };
            params.push(Param {
                name: p.name.clone(),
                kind,
            });
        }
        let (type_id, result) = match d.category {
            Category::Types => {
                let type_id = self.type_names.get(&full_type_name(&d.ty)).copied();
                (type_id, type_id.map_or(Ty::Query, Ty::Boxed))
            }
            Category::Functions if d.ty.generic_ref => (None, Ty::Query),
            Category::Functions => (None, self.resolve(&d.ty)),
        };
        if d.category == Category::Types && type_id.is_none() {
            return Err(format!("{name}: type not registered"));
        }
        Ok(Ctor {
            id: d.id,
            name,
            type_id,
            result,
            params,
            flag_words: flag_names.len(),
        })
    }

    /// Resolves a type expression of this schema.
    pub fn resolve(&self, ty: &Type) -> Ty {
        if ty.generic_ref {
            return Ty::Query;
        }
        let inner = || match &ty.generic_arg {
            Some(arg) => Box::new(self.resolve(arg)),
            None => Box::new(Ty::Unresolved(ty.name.as_str().into())),
        };
        if ty.namespace.is_empty() {
            match ty.name.as_str() {
                "int" => return Ty::Int,
                "long" => return Ty::Long,
                "double" => return Ty::Double,
                "int128" => return Ty::Int128,
                "int256" => return Ty::Int256,
                "string" => return Ty::String,
                "bytes" => return Ty::Bytes,
                "Bool" => return Ty::Bool,
                "true" => return Ty::True,
                "Vector" => return Ty::Vector(inner()),
                "vector" => return Ty::BareVector(inner()),
                _ => {}
            }
        }
        let name = full_type_name(ty);
        match self.type_names.get(&name) {
            Some(&id) if !ty.bare => Ty::Boxed(id),
            _ => Ty::Unresolved(name.into()),
        }
    }

    /// The same type expression in `other`'s terms (boxed types matched by name).
    pub fn translate(&self, ty: &Ty, other: &Schema) -> Result<Ty, LayerError> {
        Ok(match ty {
            Ty::Vector(inner) => Ty::Vector(Box::new(self.translate(inner, other)?)),
            Ty::BareVector(inner) => Ty::BareVector(Box::new(self.translate(inner, other)?)),
            Ty::Boxed(id) => {
                let name = self.type_name(*id);
                let target = other.type_names.get(name).copied();
                target
                    .map(Ty::Boxed)
                    .ok_or_else(|| LayerError::MissingInTarget {
                        name: name.to_owned(),
                        layer: other.layer,
                    })?
            }
            Ty::Unresolved(name) => return Err(LayerError::UnknownType(name.to_string())),
            primitive => primitive.clone(),
        })
    }

    pub fn type_name(&self, id: TypeId) -> &str {
        self.types.get(id).map_or("?", |t| t.name.as_str())
    }

    pub fn function(&self, id: u32) -> Option<&Ctor> {
        self.functions.get(&id).and_then(|&c| self.ctors.get(c))
    }

    pub fn constructor_id(&self, name: &str) -> Option<u32> {
        let index = self
            .object_names
            .get(name)
            .or(self.function_names.get(name));
        index.and_then(|&c| self.ctors.get(c)).map(|c| c.id)
    }
}
