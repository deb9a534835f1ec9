//! Sanity checks on the shipped schema files themselves (core.telegram.org/mtproto/TL): a
//! constructor keeping its id between layers should keep its fields, and a printed summary of
//! how much changed between the shipped layers.

use std::collections::BTreeMap;

use echo_tl::schema_files::LAYER_SCHEMAS;
use grammers_tl_parser::parse_tl_file;

/// Full name → (id, params rendered as text).
fn definitions(layer: i32) -> BTreeMap<String, (u32, Vec<String>)> {
    let (_, text) = LAYER_SCHEMAS.iter().find(|(l, _)| *l == layer).unwrap();
    parse_tl_file(text)
        .filter_map(Result::ok)
        .map(|d| {
            let params = d.params.iter().map(|p| p.to_string()).collect();
            (d.full_name(), (d.id, params))
        })
        .collect()
}

/// Whether a parameter is a `flags.N?true` flag: adding one does not change the wire layout.
fn is_true_flag(param: &str) -> bool {
    param.ends_with("?true")
}

#[test]
fn shipped_layers_are_the_expected_ones() {
    let layers: Vec<i32> = LAYER_SCHEMAS.iter().map(|(l, _)| *l).collect();
    assert_eq!(layers, vec![220, 229, 230, 232]);
    assert_eq!(echo_tl::LAYER, 230);
}

#[test]
fn same_id_means_same_fields() {
    for (older, newer) in [(220, 229), (229, 230), (220, 230), (230, 232)] {
        let (a, b) = (definitions(older), definitions(newer));
        let mut only_true_flags = Vec::new();
        for (name, (id, params)) in &a {
            let Some((new_id, new_params)) = b.get(name) else {
                continue;
            };
            if id != new_id || params == new_params {
                continue;
            }
            // Upstream sometimes adds `true` flags without a new id; those still decode the same
            // way, anything else would be a broken schema file.
            let strip = |ps: &Vec<String>| -> Vec<String> {
                ps.iter().filter(|p| !is_true_flag(p)).cloned().collect()
            };
            assert_eq!(strip(params), strip(new_params), "{name} {older}→{newer}");
            only_true_flags.push(name.clone());
        }
        println!("{older}→{newer}: same id, only `true` flags added: {only_true_flags:?}");
    }
}

#[test]
fn print_differences_between_layers() {
    for (older, newer) in [(220, 229), (229, 230), (220, 230), (230, 232)] {
        let (a, b) = (definitions(older), definitions(newer));
        let both: Vec<&String> = a.keys().filter(|n| b.contains_key(*n)).collect();
        let changed = both.iter().filter(|n| a[**n].0 != b[**n].0).count();
        let removed = a.keys().filter(|n| !b.contains_key(*n)).count();
        let added = b.keys().filter(|n| !a.contains_key(*n)).count();
        println!(
            "{older}→{newer}: {} definitions in both ({changed} with a new id), {removed} only in {older}, {added} only in {newer}",
            both.len()
        );
    }
}
