//! Generates Rust code for the NEWEST layer in `tl-schema/layers/` (plus `mtproto.tl`) with
//! grammers-tl-gen, and an index of every layer schema file so the runtime transcoder
//! (`src/layers/`) can serve older layers without generated code per layer.

use std::env;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use grammers_tl_gen::{generate_rust_code, Config, Outputs};
use grammers_tl_parser::parse_tl_file;
use grammers_tl_parser::tl::Definition;

fn load_tl(path: &Path) -> Vec<Definition> {
    let contents = fs::read_to_string(path).expect("read tl schema");
    // Builtin lines (vector, int ...) are reported as errors by the parser; they are not
    // definitions we generate.
    parse_tl_file(&contents).filter_map(|d| d.ok()).collect()
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let schema_dir = manifest.join("../../tl-schema");
    let layers_dir = schema_dir.join("layers");
    println!("cargo:rerun-if-changed={}", schema_dir.display());
    println!("cargo:rerun-if-changed={}", layers_dir.display());

    let mut layers: Vec<(i32, PathBuf)> = fs::read_dir(&layers_dir)
        .expect("tl-schema/layers")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let path = e.path();
            let layer = path.file_stem()?.to_str()?.parse::<i32>().ok()?;
            (path.extension()? == "tl").then_some((layer, path))
        })
        .collect();
    layers.sort();
    // The layer Rust types are generated for: `tl-schema/base-layer` if present, else the
    // highest. Shipping a newer schema file serves that layer through the transcoder without
    // changing the generated types; moving the base is a deliberate code migration.
    let base_file = schema_dir.join("base-layer");
    println!("cargo:rerun-if-changed={}", base_file.display());
    let base: Option<i32> = fs::read_to_string(&base_file)
        .ok()
        .and_then(|s| s.trim().parse().ok());
    let (newest, newest_path) = match base {
        Some(b) => layers
            .iter()
            .find(|(l, _)| *l == b)
            .cloned()
            .expect("base-layer names a shipped layer"),
        None => layers.last().cloned().expect("at least one layer schema"),
    };
    for (_, p) in &layers {
        println!("cargo:rerun-if-changed={}", p.display());
    }
    let mtproto_path = schema_dir.join("mtproto.tl");
    println!("cargo:rerun-if-changed={}", mtproto_path.display());

    let mut definitions = load_tl(&newest_path);
    definitions.extend(load_tl(&mtproto_path));

    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let create = |name: &str| BufWriter::new(File::create(out_dir.join(name)).expect("create"));
    let mut outputs = Outputs {
        common: create("generated_common.rs"),
        types: create("generated_types.rs"),
        functions: create("generated_functions.rs"),
        enums: create("generated_enums.rs"),
    };
    let config = Config {
        gen_name_for_id: true,
        deserializable_functions: true,
        impl_debug: true,
        impl_from_enum: true,
        impl_from_type: true,
        impl_serde: false,
    };
    generate_rust_code(&mut outputs, &definitions, newest, &config).expect("generate");
    outputs.flush().expect("flush");

    // Index of the embedded schemas: adding a layer is adding a file.
    let mut index = create("layer_schemas.rs");
    writeln!(
        index,
        "/// Every API layer schema shipped in tl-schema/layers, oldest first."
    )
    .unwrap();
    writeln!(index, "pub const LAYER_SCHEMAS: &[(i32, &str)] = &[").unwrap();
    for (layer, path) in &layers {
        let abs = fs::canonicalize(path).expect("canonical path");
        writeln!(
            index,
            "    ({layer}, include_str!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    writeln!(index, "];").unwrap();
    let abs = fs::canonicalize(&mtproto_path).expect("canonical path");
    writeln!(index, "/// The MTProto (transport-level) schema.").unwrap();
    writeln!(
        index,
        "pub const MTPROTO_SCHEMA: &str = include_str!({:?});",
        abs.display().to_string()
    )
    .unwrap();
    index.flush().unwrap();
}
