//! The vendored serde-wasm-bindgen reads a struct's fields by position, in the order the derive
//! lists their names (`vendor/serde-wasm-bindgen/PATCHED.md`). That order is the fields' own
//! unless a field has a serde `alias`, which the derive lists beside its name: so no type of the
//! SDK may have one, or its fields would be read into their neighbours.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_field_the_sdk_deserializes_has_an_alias() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(
        files.iter().any(|f| f.ends_with("options.rs")),
        "the walk missed src/options.rs"
    );
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read a source file");
        for (i, line) in text.lines().enumerate() {
            if line.contains("#[serde(") && line.contains("alias") {
                found.push(format!("{}:{}", file.display(), i + 1));
            }
        }
    }
    assert!(found.is_empty(), "serde aliases at {found:?}");
}
