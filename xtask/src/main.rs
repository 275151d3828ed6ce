//! `cargo xtask <command>`: the project's one entry point for building, testing and running.
//!
//! - `test`: installs what is missing (Rust targets and components, a Python virtual environment
//!   with the published client), then runs every check and test and prints one closing line.
//! - `emulator [FLAGS]`: builds and starts `nomadic-emulator` (flags are passed through).
//! - `demo`: starts the emulator serving the dashboard in `www-example/`.
//! - `bench`: the emulator benchmark (start-up and import-job paging).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

mod run;
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
        "emulator" => emulator(&rest),
        "demo" => demo(&rest),
        "bench" => bench(),
        _ => {
            eprintln!("usage: cargo xtask <test | emulator [FLAGS] | demo | bench>");
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

fn test() -> Result<(), String> {
    ensure_toolchain()?;
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
        "--",
        "-D",
        "warnings",
    ])?;
    step("SDK builds for wasm32-unknown-unknown");
    cargo(&[
        "build",
        "-p",
        "nomadicml-web",
        "--target",
        "wasm32-unknown-unknown",
        "--release",
    ])?;
    step("Rust unit and HTTP integration tests");
    tally.cargo_test(&["test", "--workspace"])?;
    step("conformance: the published Python client against the emulator");
    let bin = root().join("target/debug/nomadic-emulator");
    let py = root().join(".venv/bin/python");
    tally.pytest(&py, &root().join("emulator/conformance"), &bin)?;
    println!(
        "\nxtask test: {} passed, {} failed",
        tally.passed, tally.failed
    );
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

fn demo(flags: &[String]) -> Result<(), String> {
    let www = root().join("www-example");
    let mut all = vec!["--static".to_string(), www.display().to_string()];
    all.extend_from_slice(flags);
    println!("dashboard: http://127.0.0.1:8787/ (API key: nomadic-dev-key)");
    emulator(&all)
}

fn bench() -> Result<(), String> {
    let bin = emulator_bin()?;
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
        .env("NOMADIC_EMULATOR_BIN", bin)
        .current_dir(root())
        .stdin(Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err("benchmark failed".into())
    }
}
