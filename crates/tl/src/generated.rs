//! The generated code (see build.rs); not hand-written.
#![allow(clippy::all, missing_docs, unused_parens)]

pub use common::*;

mod common {
    include!(concat!(env!("OUT_DIR"), "/generated_common.rs"));
}

#[allow(clippy::all)]
pub mod types {
    //! Bare types, one `struct` per constructor.
    include!(concat!(env!("OUT_DIR"), "/generated_types.rs"));
}

#[allow(clippy::all)]
pub mod enums {
    //! Boxed types, one `enum` per type.
    include!(concat!(env!("OUT_DIR"), "/generated_enums.rs"));
}

#[allow(clippy::all)]
pub mod functions {
    //! Functions, one `struct` each; `RemoteCall::Return` is the result type.
    include!(concat!(env!("OUT_DIR"), "/generated_functions.rs"));
}
