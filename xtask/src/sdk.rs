//! Building the npm package and the tools it needs.

use crate::run::{self, cargo};
use crate::{root, step};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasm-bindgen version pinned in Cargo.lock: the CLI must match it exactly.
fn wasm_bindgen_version() -> Result<String, String> {
    let lock = fs::read_to_string(root().join("Cargo.lock")).map_err(|e| e.to_string())?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

/// Installs the wasm target, the matching wasm-bindgen CLI, and the npm tools (wasm-opt).
pub fn ensure_tools() -> Result<(), String> {
    let targets = run::output("rustup", &["target", "list", "--installed"])?;
    if !targets
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run::status("rustup", &["target", "add", "wasm32-unknown-unknown"])?;
    }
    let want = wasm_bindgen_version()?;
    let have = run::output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have.trim() != format!("wasm-bindgen {want}") {
        step(&format!(
            "installing wasm-bindgen-cli {want} (a few minutes, once)"
        ));
        let args = [
            "install",
            "wasm-bindgen-cli",
            "--version",
            &want,
            "--no-default-features",
            "--locked",
        ];
        // The registry mirror here cannot always honour --locked; unlocked resolves the same crate.
        if cargo(&args).is_err() {
            cargo(&args[..args.len() - 1])?;
        }
    }
    let tools = root().join("tools");
    let installed = [
        "node_modules/.bin/wasm-opt",
        "node_modules/playwright-core/index.mjs",
        "node_modules/.bin/tsc",
    ];
    if !installed.iter().all(|p| tools.join(p).exists()) {
        let s = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--silent"])
            .current_dir(&tools)
            .status()
            .map_err(|e| format!("npm: {e}"))?;
        if !s.success() {
            return Err("npm ci in tools/ failed".into());
        }
    }
    Ok(())
}

/// Debian's Chromium and its driver, for the browser suite and the demo check.
pub fn ensure_chromium() -> Result<(), String> {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    step("installing chromium and chromium-driver");
    run::apt_install(&["chromium", "chromium-driver"])
}

pub struct Sizes {
    pub wasm_gzip: u64,
    pub js_gzip: u64,
}

fn gzip_len(files: &[PathBuf]) -> Result<u64, String> {
    let mut total = 0;
    for f in files {
        let out = Command::new("gzip")
            .arg("-9")
            .arg("-c")
            .arg(f)
            .output()
            .map_err(|e| format!("gzip: {e}"))?;
        total += out.stdout.len() as u64;
    }
    Ok(total)
}

fn js_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    for e in fs::read_dir(dir).map_err(|e| e.to_string())? {
        let p = e.map_err(|e| e.to_string())?.path();
        if p.is_dir() {
            js_files(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "js") {
            out.push(p);
        }
    }
    Ok(())
}

/// `pkg/`: the wasm built for size, bound, optimised with wasm-opt, plus the hand-written entry
/// points and types. Prints the gzip sizes users compare.
pub fn build() -> Result<Sizes, String> {
    ensure_tools()?;
    step("building the npm package in pkg/");
    cargo(&[
        "build",
        "-p",
        "nomadicml-web",
        "--target",
        "wasm32-unknown-unknown",
        "--release",
    ])?;
    let pkg = root().join("pkg");
    let _ = fs::remove_dir_all(&pkg);
    let wasm = root().join("target/wasm32-unknown-unknown/release/nomadicml_web.wasm");
    run::status(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--no-typescript",
            // Handles such as `client.video` are freed by the JS garbage collector.
            "--weak-refs",
            "--out-dir",
            pkg.to_str().unwrap_or("pkg"),
            wasm.to_str().unwrap_or(""),
        ],
    )?;
    let bg = pkg.join("nomadicml_web_bg.wasm");
    let opt = root().join("tools/node_modules/.bin/wasm-opt");
    run::status(
        opt.to_str().unwrap_or("wasm-opt"),
        &[
            "-Oz",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-reference-types",
            "--enable-mutable-globals",
            "--enable-multivalue",
            bg.to_str().unwrap_or(""),
            "-o",
            bg.to_str().unwrap_or(""),
        ],
    )?;
    // The entry points re-export the error classes from the snippet directory wasm-bindgen made.
    let snippet = fs::read_dir(pkg.join("snippets"))
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .next()
        .ok_or("wasm-bindgen wrote no snippets")?;
    for entry in fs::read_dir(root().join("pkg-template")).map_err(|e| e.to_string())? {
        let p = entry.map_err(|e| e.to_string())?.path();
        let name = p.file_name().ok_or("bad template name")?.to_owned();
        let text = fs::read_to_string(&p).map_err(|e| e.to_string())?;
        fs::write(
            pkg.join(name),
            text.replace("__SNIPPETS__", &format!("./snippets/{snippet}")),
        )
        .map_err(|e| e.to_string())?;
    }
    let mut js = Vec::new();
    js_files(&pkg, &mut js)?;
    let sizes = Sizes {
        wasm_gzip: gzip_len(&[bg])?,
        js_gzip: gzip_len(&js)?,
    };
    println!(
        "pkg/: wasm {:.1} KB gzip, JS glue {:.1} KB gzip ({} files), total {:.1} KB gzip",
        sizes.wasm_gzip as f64 / 1024.0,
        sizes.js_gzip as f64 / 1024.0,
        js.len(),
        (sizes.wasm_gzip + sizes.js_gzip) as f64 / 1024.0
    );
    Ok(sizes)
}
