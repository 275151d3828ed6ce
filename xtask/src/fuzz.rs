//! The cargo-fuzz targets in `fuzz/` (libFuzzer, on the pinned nightly): the SDK's parsers of
//! bytes it does not control. `cargo xtask test` runs each for a bounded time; `cargo xtask fuzz
//! [SECONDS]` runs them longer. A crash fails the run and leaves its input in
//! `fuzz/artifacts/<target>/`, where `cargo fuzz run <target> <file>` replays it.

use super::{root, step};
use crate::run;
use crate::sdk::SIZE_TOOLCHAIN;
use std::process::Command;

/// Each target's name, and what it feeds untrusted bytes to.
pub const TARGETS: [(&str, &str); 3] = [
    ("probe", "probeVideo's box reader"),
    (
        "responses",
        "answer decoding, event normalisation and the batch CSV",
    ),
    ("sse", "the event-stream parser, cut anywhere"),
];

/// Installs cargo-fuzz (once), then runs every target for `seconds` from its seeds.
pub fn run(seconds: u32) -> Result<(), String> {
    if run::output("cargo", &["fuzz", "--version"]).is_err() {
        step("installing cargo-fuzz (once)");
        run::status("cargo", &["install", "cargo-fuzz", "--locked"])?;
    }
    for (target, what) in TARGETS {
        step(&format!("fuzzing {what} ({target}) for {seconds} s"));
        // The corpus grows under target/; the committed seeds are only read.
        let corpus = root().join("target/fuzz-corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| e.to_string())?;
        let seeds = root().join("fuzz/seeds").join(target);
        // libFuzzer reports every new input; its log goes to a file and only its totals are
        // shown (the whole log when it fails).
        let log_path = root().join("target").join(format!("fuzz-{target}.log"));
        let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
        let status = Command::new("cargo")
            .arg(format!("+{SIZE_TOOLCHAIN}"))
            .args(["fuzz", "run", target])
            .arg(&corpus)
            .arg(&seeds)
            .args([
                "--",
                &format!("-max_total_time={seconds}"),
                "-rss_limit_mb=2048",
                "-print_final_stats=1",
            ])
            .current_dir(root().join("fuzz"))
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .status()
            .map_err(|e| format!("cargo fuzz: {e}"))?;
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        for line in text.lines() {
            if !status.success() || line.starts_with("Done ") || line.starts_with("stat::") {
                println!("{line}");
            }
        }
        if !status.success() {
            return Err(format!(
                "the fuzz target '{target}' found a crash (its input is in fuzz/artifacts/{target}/)"
            ));
        }
    }
    Ok(())
}
