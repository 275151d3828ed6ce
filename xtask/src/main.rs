//! `cargo xtask <command>`: the project's one entry point for building, testing and running.
//!
//! - `test`: installs what is missing (Rust targets and components, the wasm-bindgen CLI,
//!   Chromium and its driver, wasm-opt, a Python virtual environment with the published
//!   client), then runs every check and test and prints one closing line.
//! - `build`: the npm package in `pkg/`, with its gzip and brotli sizes.
//! - `size`: the sizes, the 20 largest items of the wasm, and the budget check.
//! - `emulator [FLAGS]`: builds and starts `nomadic-emulator` (flags are passed through).
//! - `demo`: builds the package and starts the emulator serving the dashboard in `www-example/`.
//! - `bench`: the emulator benchmark (start-up and import-job paging), then the SDK's report
//!   (uploads, paging, start-up, size; `target/bench/report.md` and `upload.svg`).
//! - `fuzz [SECONDS]`: the cargo-fuzz targets, each for SECONDS (default 300).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

mod boundary;
mod emulator;
mod fuzz;
mod run;
mod sdk;
use run::{cargo, Tally};

/// The published client the emulator's conformance suite drives.
const REFERENCE_CLIENT: &str = "nomadicml==0.1.53";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = match args.split_first() {
        Some((c, r)) => (c.as_str(), r.to_vec()),
        None => ("help", Vec::new()),
    };
    let result = match cmd {
        "test" => test(),
        "build" => sdk::build().map(|_| ()),
        "size" => sdk::size(),
        "emulator" => emulator(&rest),
        "demo" => demo(&rest),
        "bench" => bench(),
        "fuzz" => match rest.first().map(|s| s.parse::<u32>()) {
            None => fuzz::run(300),
            Some(Ok(seconds)) => fuzz::run(seconds),
            Some(Err(_)) => Err("usage: cargo xtask fuzz [SECONDS]".into()),
        },
        _ => {
            eprintln!(
                "usage: cargo xtask <test | build | size | emulator [FLAGS] | demo | bench | fuzz [SECONDS]>"
            );
            return ExitCode::from(if cmd == "help" { 0 } else { 2 });
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn step(name: &str) {
    println!("\n==> {name}");
}

/// Installs the Rust pieces and the Python environment the tests need, if missing.
fn ensure_toolchain() -> Result<(), String> {
    step("toolchain");
    let targets = run::output("rustup", &["target", "list", "--installed"])?;
    if !targets
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run::status("rustup", &["target", "add", "wasm32-unknown-unknown"])?;
    }
    for comp in ["rustfmt", "clippy"] {
        let probe = if comp == "rustfmt" {
            ["fmt", "--version"]
        } else {
            ["clippy", "--version"]
        };
        if run::output("cargo", &probe).is_err() {
            run::status("rustup", &["component", "add", comp])?;
        }
    }
    let venv = root().join(".venv");
    let py = venv.join("bin/python");
    let venv_arg = venv.to_str().unwrap_or(".venv");
    // Debian's python3 ships venv separately.
    if !py.exists() && run::status("python3", &["-m", "venv", venv_arg]).is_err() {
        run::apt_install(&["python3-venv"])?;
        run::status("python3", &["-m", "venv", venv_arg])?;
    }
    let have =
        run::output(py.to_str().unwrap_or("python"), &["-m", "pip", "freeze"]).unwrap_or_default();
    if !have.lines().any(|l| l == REFERENCE_CLIENT)
        || !have.lines().any(|l| l.starts_with("pytest=="))
    {
        run::status(
            py.to_str().unwrap_or("python"),
            &[
                "-m",
                "pip",
                "install",
                "--quiet",
                REFERENCE_CLIENT,
                "pytest",
            ],
        )?;
    }
    Ok(())
}

/// The key the SDK suites use against their emulator.
const TEST_KEY: &str = "sdk-suite-key-5d21";
/// The admin token of the suites' emulator (the browser suite's page is of another origin).
const ADMIN_TOKEN: &str = "sdk-suite-admin-7c4e";

fn test() -> Result<(), String> {
    ensure_toolchain()?;
    sdk::ensure_tools()?;
    sdk::ensure_chromium()?;
    let mut tally = Tally::default();
    step("format and lints (host and wasm32)");
    cargo(&["fmt", "--all", "--", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&[
        "clippy",
        "-p",
        "nomadicml-web",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    let sizes = sdk::build()?;
    sdk::check_budget(&sizes)?;
    step("Rust unit and HTTP integration tests (host)");
    tally.cargo_test(&["test", "--workspace"])?;

    step("SDK suites in Node and Chromium, against a fresh emulator");
    let bin = root().join("target/debug/nomadic-emulator");
    // The dashboard is served beside the API, with the package just built.
    let www = root().join("www-example");
    copy_dir(&root().join("pkg"), &www.join("pkg"))?;
    let www_arg = www.display().to_string();
    let flags = [
        "--api-key",
        TEST_KEY,
        "--processing-delay-ms",
        "100",
        "--stream-event-ms",
        "40",
        "--static",
        &www_arg,
        "--admin-token",
        ADMIN_TOKEN,
    ];
    // The import suites fill these buckets over the emulator's admin API.
    let emu = emulator::Emulator::start(&bin, &flags, &["gs://sdk-gcs", "s3://sdk-s3"])?;
    let shots = root().join("target/screenshots");
    std::fs::create_dir_all(&shots).map_err(|e| e.to_string())?;
    let shots = shots.display().to_string();
    let env = [
        ("NOMADIC_EMULATOR_URL", emu.url.as_str()),
        ("NOMADIC_TEST_API_KEY", TEST_KEY),
        ("NOMADIC_EMULATOR_TOKEN", ADMIN_TOKEN),
        (
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        ),
        ("CHROMEDRIVER", "/usr/bin/chromedriver"),
        ("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        // No session bus here; Chromium need not look for one (with webdriver.json's keychain
        // flags, as Playwright launches it). Its start-up stalls were not measurably rarer.
        ("DBUS_SESSION_BUS_ADDRESS", "disabled:"),
        // Without debug info the test modules are 4 MB instead of 24: faster for the browser to load.
        ("CARGO_PROFILE_DEV_DEBUG", "0"),
        ("NOMADIC_DASHBOARD_URL", emu.url.as_str()),
        ("NOMADIC_SCREENSHOT_DIR", shots.as_str()),
    ];
    let suite = |name: &'static str| {
        [
            "test",
            "-p",
            "nomadicml-web",
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            name,
        ]
    };
    tally.cargo_test_env(&suite("node"), &env)?;
    tally.cargo_test_browser(&suite("browser"), &env)?;
    step("the npm package in Node (node --test)");
    link_package()?;
    tally.node_test(&root().join("tests/pkg"), &env)?;
    step("the package's manifest and types per resolution mode (publint, attw --pack)");
    let tool_bin = |name: &str| root().join("tools/node_modules/.bin").join(name);
    let pkg_dir = root().join("pkg");
    for (tool, args) in [("publint", vec!["--strict"]), ("attw", vec!["--pack", "."])] {
        let status = Command::new(tool_bin(tool))
            .args(&args)
            .current_dir(&pkg_dir)
            .status()
            .map_err(|e| format!("{tool}: {e}"))?;
        if !status.success() {
            return Err(format!("{tool} found problems in pkg/ (above)"));
        }
    }
    tally.passed += 2;
    println!("package lint: 2 passed, 0 failed");
    step("the package's TypeScript declarations (tsc --noEmit: usage, and misuses that must fail)");
    let tsc = root().join("tools/node_modules/.bin/tsc");
    let pkg_tests = root().join("tests/pkg/tsconfig.json");
    run::status(
        tsc.to_str().unwrap_or("tsc"),
        &["-p", pkg_tests.to_str().unwrap_or("")],
    )?;
    // The same package from a CommonJS TypeScript file (`.cts`, node16 resolution).
    let cjs_types = root().join("tests/pkg/tsconfig.node16.json");
    run::status(
        tsc.to_str().unwrap_or("tsc"),
        &["-p", cjs_types.to_str().unwrap_or("")],
    )?;
    tally.passed += 2;
    println!("types: 2 passed, 0 failed");
    step("the packaging matrix: the packed tarball in Node 20 and 18 (ESM, CJS), Jest, Vitest, a plain page, a module worker, Vite (build and dev), webpack, esbuild and Rollup");
    tally.node_test(&root().join("tests/matrix"), &env)?;
    step("the dashboard in headless Chromium (playwright-core)");
    tally.node_test(&root().join("tests/e2e"), &env)?;
    step("the fault matrix and the upload soak, in Node and in Chromium (tests/reliability)");
    tally.node_test(&root().join("tests/reliability"), &env)?;
    drop(emu);

    step("conformance: the published Python client against the emulator");
    let py = root().join(".venv/bin/python");
    tally.pytest(&py, &root().join("emulator/conformance"), &bin)?;
    // Bounded: long enough to walk the seeds' neighbourhoods, short enough for every run.
    fuzz::run(20)?;
    tally.passed += fuzz::TARGETS.len() as u64;
    println!(
        "fuzz: {} targets ran 20 s each without a crash",
        fuzz::TARGETS.len()
    );
    println!("\ntotal: {} passed, {} failed", tally.passed, tally.failed);
    if tally.failed > 0 {
        return Err(format!("{} test(s) failed", tally.failed));
    }
    Ok(())
}

fn emulator_bin() -> Result<PathBuf, String> {
    cargo(&["build", "--release", "-p", "nomadic-emulator"])?;
    Ok(root().join("target/release/nomadic-emulator"))
}

fn emulator(flags: &[String]) -> Result<(), String> {
    let bin = emulator_bin()?;
    let status = Command::new(bin)
        .args(flags)
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("nomadic-emulator exited with {status}"))
    }
}

const DEMO_USAGE: &str = "cargo xtask demo [EMULATOR FLAGS]

Builds the SDK when its sources changed and starts the emulator serving the dashboard. Flags go to
the emulator, for example:
  --addr HOST:PORT    listen address (default 127.0.0.1:8787; port 0 picks a free one)
  --data-dir DIR      where the demo keeps its data (default ./.nomadic-emulator)
  --api-key KEY       accepted key, repeatable (default nomadic-dev-key)
  --reset             start with no videos, analyses or jobs (the demo's buckets are kept)
(`cargo run -p nomadic-emulator -- --help` lists them all.)";

/// The value of `--flag VALUE` or `--flag=VALUE` among `flags`.
fn flag_value<'a>(flags: &'a [String], flag: &str) -> Option<&'a str> {
    let eq = flag.to_string() + "=";
    flags.iter().enumerate().find_map(|(i, f)| {
        if f == flag {
            flags.get(i + 1).map(String::as_str)
        } else {
            f.strip_prefix(&eq)
        }
    })
}

fn demo(flags: &[String]) -> Result<(), String> {
    if flags.iter().any(|f| f == "--help" || f == "-h") {
        println!("{DEMO_USAGE}");
        return Ok(());
    }
    // A taken port is said before anything is built.
    let addr = flag_value(flags, "--addr").unwrap_or("127.0.0.1:8787");
    if let Err(e) = std::net::TcpListener::bind(addr) {
        return Err(format!(
            "cannot listen on {addr} ({e}): another demo or emulator may be running there; stop \
             it, or pass --addr 127.0.0.1:PORT (port 0 picks a free one)"
        ));
    }
    let reset = flags.iter().any(|f| f == "--reset");
    let flags: Vec<String> = flags.iter().filter(|f| *f != "--reset").cloned().collect();
    let flags = &flags[..];
    if reset {
        let data = flag_value(flags, "--data-dir")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| root().join(".nomadic-emulator"));
        for f in [
            "emulator.sqlite3",
            "emulator.sqlite3-wal",
            "emulator.sqlite3-shm",
        ] {
            let _ = std::fs::remove_file(data.join(f));
        }
        let _ = std::fs::remove_dir_all(data.join("videos"));
        println!("demo data reset in {}", data.display());
    }
    sdk::build_if_changed()?;
    let www = root().join("www-example");
    copy_dir(&root().join("pkg"), &www.join("pkg"))?;
    let mut all = vec!["--static".to_string(), www.display().to_string()];
    // Buckets for the import panel: drop .mp4 files in these folders, then import
    // gs://demo-bucket/<file> or s3://demo-bucket/<file>.
    let buckets = root().join(".nomadic-emulator/buckets");
    for (scheme, dir) in [("gs", "gcs"), ("s3", "s3")] {
        let d = buckets.join(dir);
        std::fs::create_dir_all(&d).map_err(|e| e.to_string())?;
        all.push("--bucket".into());
        all.push(format!("{scheme}://demo-bucket={}", d.display()));
    }
    all.extend_from_slice(flags);
    let bin = emulator_bin()?;
    let mut child = Command::new(bin)
        .args(&all)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("nomadic-emulator: {e}"))?;
    let out = child.stdout.take().ok_or("no emulator output")?;
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(out));
    // The banner comes when the server listens, with the address it really has.
    if let Some(Ok(first)) = lines.next() {
        println!("{first}");
        if let Some(url) = first.split_whitespace().find(|w| w.starts_with("http://")) {
            println!("dashboard: {url}/ (API key: nomadic-dev-key)");
        }
        println!(
            "buckets: gs://demo-bucket and s3://demo-bucket read {}/{{gcs,s3}}/",
            buckets.display()
        );
    }
    for line in lines.map_while(Result::ok) {
        println!("{line}");
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("nomadic-emulator exited with {status}"))
    }
}

/// `node_modules/nomadicml-web` -> `pkg/` in the package tests, so they use it by name (the
/// packaging matrix installs the packed tarball instead).
fn link_package() -> Result<(), String> {
    link_package_into(&root().join("tests/pkg/node_modules"))
}

/// `modules/nomadicml-web` -> `pkg/`, as an install of the built package would be.
fn link_package_into(modules: &Path) -> Result<(), String> {
    std::fs::create_dir_all(modules).map_err(|e| e.to_string())?;
    let link = modules.join("nomadicml-web");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(root().join("pkg"), &link).map_err(|e| e.to_string())
}

/// Copies `from` into `to` (replacing it), for serving the package beside the dashboard.
fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for e in std::fs::read_dir(from).map_err(|e| e.to_string())? {
        let p = e.map_err(|e| e.to_string())?.path();
        let dest = to.join(p.file_name().ok_or("bad file name")?);
        if p.is_dir() {
            copy_dir(&p, &dest)?;
        } else {
            std::fs::copy(&p, &dest).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn bench() -> Result<(), String> {
    let bin = emulator_bin()?;
    step("emulator: start-up and import-job paging");
    let status = Command::new("cargo")
        .args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "nomadic-emulator",
            "--example",
            "bench",
        ])
        .env("NOMADIC_EMULATOR_BIN", &bin)
        .current_dir(root())
        .stdin(Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("emulator benchmark failed".into());
    }
    sdk::ensure_tools()?;
    sdk::ensure_chromium()?;
    sdk::build()?;
    let baselines = bench_baselines()?;
    let www = root().join("www-example");
    copy_dir(&root().join("pkg"), &www.join("pkg"))?;
    let www_arg = www.display().to_string();
    let emu = emulator::Emulator::start(&bin, &["--api-key", TEST_KEY, "--static", &www_arg], &[])?;
    step("SDK: uploads, paging, start-up and size, side by side (tests/bench/report.mjs)");
    let status = Command::new("node")
        .arg("report.mjs")
        .current_dir(root().join("tests/bench"))
        .env("NOMADIC_DASHBOARD_URL", &emu.url)
        .env("NOMADIC_TEST_API_KEY", TEST_KEY)
        .env("BENCH_OUT", root().join("target/bench"))
        .env("BENCH_BASELINES", &baselines)
        .env("BENCH_PKG", root().join("pkg"))
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("the SDK benchmark failed".into());
    }
    Ok(())
}

/// The clients the SDK is compared with, from the registry at pinned versions, beside the
/// package itself, in `target/bench/baselines` (installed once).
fn bench_baselines() -> Result<PathBuf, String> {
    const BASELINES: [&str; 2] = ["openai@7.59.0", "twelvelabs-js@1.3.4"];
    let dir = root().join("target/bench/baselines");
    let modules = dir.join("node_modules");
    let installed = BASELINES.iter().all(|b| {
        modules
            .join(b.rsplit_once('@').map_or(*b, |(name, _)| name))
            .exists()
    });
    if !installed {
        step(&format!("installing {} (once)", BASELINES.join(" and ")));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        std::fs::write(
            dir.join("package.json"),
            "{\"private\": true, \"type\": \"module\"}\n",
        )
        .map_err(|e| e.to_string())?;
        let status = Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-package-lock",
                "--no-audit",
                "--no-fund",
                "--silent",
            ])
            .args(BASELINES)
            .current_dir(&dir)
            .status()
            .map_err(|e| format!("npm: {e}"))?;
        if !status.success() {
            return Err("installing the benchmark's baseline clients failed".into());
        }
    }
    link_package_into(&modules)?;
    Ok(dir)
}
