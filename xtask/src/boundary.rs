//! Short names on the JS/wasm boundary. wasm-bindgen names each import `__wbg_<name>_<16 hex
//! digits>` and each closure adapter after its full Rust type (up to 300 characters), and every
//! name is written in the wasm and again in the glue (twice, counting Node's bundle); the hex
//! digits do not compress. binaryen's `--minify-imports-and-exports-and-modules` (the pass
//! Emscripten runs for the same reason) renames them in the wasm and prints the mapping; this
//! applies the mapping to the glue, and checks that nothing was left behind.

use crate::sdk::{wasm_opt_bin, WASM_FEATURES};
use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::Command;

/// The module name binaryen gives every import once modules are minified too.
const MODULE: &str = "a";

/// Renames the boundary of `wasm` (in place) and of its wasm-bindgen glue `glue` to match.
pub fn minify(wasm: &Path, glue: &Path) -> Result<(), String> {
    let w = wasm.display().to_string();
    let out = Command::new(wasm_opt_bin())
        .args(WASM_FEATURES)
        .args(["--minify-imports-and-exports-and-modules", &w, "-o", &w])
        .output()
        .map_err(|e| format!("wasm-opt: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "wasm-opt --minify-imports-and-exports-and-modules failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let map: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("wasm-opt's name mapping is not JSON: {e}"))?;
    let text = fs::read_to_string(glue).map_err(|e| e.to_string())?;
    let renamed = apply(&text, &map)?;
    fs::write(glue, renamed).map_err(|e| e.to_string())?;
    check_modules(wasm)
}

/// The glue with the mapping applied: the glue's own imports renamed where its import object
/// names them, the snippets' imports added to that object under their new names, the object
/// offered as the one module `a`, and every `wasm.<export>` renamed.
fn apply(glue: &str, map: &serde_json::Value) -> Result<String, String> {
    let pairs = |key: &str| -> Result<Vec<Vec<String>>, String> {
        map[key]
            .as_array()
            .ok_or(format!("the name mapping has no {key}"))?
            .iter()
            .map(|row| {
                row.as_array()
                    .map(|r| {
                        r.iter()
                            .filter_map(|s| s.as_str().map(String::from))
                            .collect()
                    })
                    .ok_or("a mapping row is not a list".to_string())
            })
            .collect()
    };
    // `import * as import1 from "./snippets/…/iterate.js"`: the snippet modules by name.
    let mut namespaces = HashMap::new();
    for line in glue.lines() {
        if let Some(rest) = line.strip_prefix("import * as ") {
            if let Some((var, path)) = rest.split_once(" from ") {
                let path = path
                    .trim_end_matches(';')
                    .trim_matches('"')
                    .trim_matches('\'');
                namespaces.insert(path.to_string(), var.to_string());
            }
        }
    }
    let own_module = "./nomadicml_web_bg.js";
    let mut imports = HashMap::new();
    let mut added = String::new();
    let import_rows = pairs("imports")?;
    for row in &import_rows {
        let [module, old, new] = &row[..] else {
            return Err("an import row is not [module, name, new name]".into());
        };
        if module == own_module {
            imports.insert(old.as_str(), new.as_str());
        } else {
            let ns = namespaces
                .get(module)
                .ok_or(format!("the glue does not import the module {module}"))?;
            added += &format!("{new}: {ns}.{old}, ");
        }
    }
    let mut exports = HashMap::new();
    for row in pairs("exports")? {
        let [old, new] = <[String; 2]>::try_from(row)
            .map_err(|_| "an export row is not [name, new name]".to_string())?;
        exports.insert(old, new);
    }

    let mut seen = 0;
    let mut out = rename(glue, |ident, after_wasm_dot| {
        if after_wasm_dot {
            exports.get(ident).map(String::as_str)
        } else {
            let n = imports.get(ident).copied();
            seen += usize::from(n.is_some());
            n
        }
    });
    if seen != imports.len() {
        return Err(format!(
            "the glue names {seen} of the wasm's {} own imports once each; wasm-bindgen's output \
             changed shape",
            imports.len()
        ));
    }
    // The import object: `return { __proto__: null, "./nomadicml_web_bg.js": import0, …snippets };`
    let start = out
        .find(&format!("\"{own_module}\": import0,"))
        .and_then(|i| out[..i].rfind("return {"))
        .ok_or("the glue's import object was not found")?;
    let end = start
        + out[start..]
            .find("};")
            .ok_or("the import object does not end")?
        + 2;
    out.replace_range(
        start..end,
        &format!("return {{ __proto__: null, {MODULE}: Object.assign(import0, {{ {added}}}) }};"),
    );
    // Every export the glue uses must now have its short name.
    let short: std::collections::HashSet<&str> = exports.values().map(String::as_str).collect();
    let hashed = |ident: &str| {
        ident.starts_with("__wbg_")
            && ident.len() > 17
            && ident.as_bytes()[ident.len() - 17] == b'_'
            && ident[ident.len() - 16..]
                .bytes()
                .all(|b| b.is_ascii_hexdigit())
    };
    let mut stale = Vec::new();
    rename(&out, |ident, after_wasm_dot| {
        if after_wasm_dot && !short.contains(ident) || hashed(ident) {
            stale.push(ident.to_string());
        }
        None
    });
    if !stale.is_empty() || out.contains(own_module) {
        return Err(format!(
            "the glue still uses unrenamed boundary names: {stale:?}"
        ));
    }
    Ok(out)
}

/// `text` with each identifier replaced where `f(identifier, follows "wasm.")` says so.
fn rename<'a>(text: &str, mut f: impl FnMut(&str, bool) -> Option<&'a str>) -> String {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut prev_ident = false;
    while let Some(c) = rest.chars().next() {
        if is_ident(c) && !prev_ident {
            let len = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
            let (ident, tail) = rest.split_at(len);
            let after_wasm_dot = out.ends_with("wasm.")
                && !out[..out.len() - 5].ends_with(|c: char| is_ident(c) || c == '.');
            out.push_str(f(ident, after_wasm_dot).unwrap_or(ident));
            rest = tail;
            prev_ident = true;
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
            prev_ident = is_ident(c);
        }
    }
    out
}

/// The renamed wasm imports from the one module the glue now offers.
fn check_modules(wasm: &Path) -> Result<(), String> {
    let script = "const m=new WebAssembly.Module(require('fs').readFileSync(process.argv[1]));\
                  console.log([...new Set(WebAssembly.Module.imports(m).map(i=>i.module))].join())";
    let modules = crate::run::output("node", &["-e", script, &wasm.display().to_string()])?;
    if modules.trim() != MODULE {
        return Err(format!(
            "the minified wasm imports from {:?}, not from the one module {MODULE:?}",
            modules.trim()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_imports_exports_and_the_module() {
        let glue = "import * as import1 from \"./snippets/x/iterate.js\"\n\
            function f(a) { wasm.long_export_name(a); wasm.long_export_name_2(); }\n\
            function __wbg_get_imports() {\n    const import0 = {\n        __proto__: null,\n        \
            __wbg_fetch_0123456789abcdef: function(a) { return fetch(a); },\n    };\n    \
            return {\n        __proto__: null,\n        \"./nomadicml_web_bg.js\": import0,\n        \
            \"./snippets/x/iterate.js\": import1,\n    };\n}\n\
            export function long_export_name() {}\n";
        let map = serde_json::json!({
            "imports": [
                ["./nomadicml_web_bg.js", "__wbg_fetch_0123456789abcdef", "b"],
                ["./snippets/x/iterate.js", "pages", "c"]
            ],
            "exports": [["long_export_name", "d"], ["long_export_name_2", "e"]]
        });
        let out = apply(glue, &map).unwrap();
        assert!(out.contains("wasm.d(a); wasm.e();"), "{out}");
        assert!(out.contains("b: function(a)"), "{out}");
        assert!(
            out.contains(
                "return { __proto__: null, a: Object.assign(import0, { c: import1.pages, }) };"
            ),
            "{out}"
        );
        // The JS function of the same name as an export keeps its name.
        assert!(out.contains("export function long_export_name()"), "{out}");
        assert!(!out.contains("0123456789abcdef"), "{out}");
    }

    #[test]
    fn a_missing_import_is_an_error() {
        let glue = "const import0 = {};\nreturn {\n \"./nomadicml_web_bg.js\": import0,\n};\n";
        let map = serde_json::json!({
            "imports": [["./nomadicml_web_bg.js", "__wbg_gone_0123456789abcdef", "b"]],
            "exports": []
        });
        assert!(apply(glue, &map).is_err());
    }
}
