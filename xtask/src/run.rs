//! Running commands: plain, captured, or as test runners whose counts are added up.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

pub fn status(program: &str, args: &[&str]) -> Result<(), String> {
    let s = Command::new(program)
        .args(args)
        .current_dir(super::root())
        .status()
        .map_err(|e| format!("{program}: {e}"))?;
    if s.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({s})", args.join(" ")))
    }
}

pub fn output(program: &str, args: &[&str]) -> Result<String, String> {
    let o = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    } else {
        Err(format!("`{program} {}` failed", args.join(" ")))
    }
}

pub fn cargo(args: &[&str]) -> Result<(), String> {
    status("cargo", args)
}

/// `apt-get install` of Debian packages (the machines run as root), updating the lists once.
pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    let apt = |args: &[&str]| -> Result<(), String> {
        let s = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .status()
            .map_err(|e| format!("apt-get: {e}"))?;
        if s.success() {
            Ok(())
        } else {
            Err(format!("`apt-get {}` failed ({s})", args.join(" ")))
        }
    };
    apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend_from_slice(packages);
    apt(&args)
}

/// Counts of every test runner's results.
#[derive(Default)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
}

/// Runs a command, echoing its output, and hands each line to `scan`.
fn stream(mut cmd: Command, mut scan: impl FnMut(&str)) -> Result<bool, String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            scan(&line);
        }
    }
    Ok(child.wait().map_err(|e| e.to_string())?.success())
}

fn count_before(line: &str, word: &str) -> u64 {
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .filter(|w| w[1] == word)
        .filter_map(|w| w[0].parse::<u64>().ok())
        .sum()
}

impl Tally {
    /// `cargo test ...`, counting its `test result:` lines.
    pub fn cargo_test(&mut self, args: &[&str]) -> Result<(), String> {
        let mut cmd = Command::new("cargo");
        cmd.args(args).current_dir(super::root());
        self.count_cargo(cmd)
    }

    fn count_cargo(&mut self, cmd: Command) -> Result<(), String> {
        let (mut p, mut f) = (0, 0);
        let ok = stream(cmd, |line| {
            if line.starts_with("test result:") {
                p += count_before(line, "passed");
                f += count_before(line, "failed");
            }
        })?;
        self.passed += p;
        self.failed += f;
        if ok {
            Ok(())
        } else {
            Err("cargo test failed".into())
        }
    }

    /// `cargo test ...` with extra environment (the wasm suites).
    pub fn cargo_test_env(&mut self, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
        let mut cmd = Command::new("cargo");
        cmd.args(args)
            .current_dir(super::root())
            .envs(env.iter().copied());
        self.count_cargo(cmd)
    }

    /// `node --test` over the `*.test.mjs` files of `dir`.
    pub fn node_test(&mut self, dir: &Path, env: &[(&str, &str)]) -> Result<(), String> {
        let mut cmd = Command::new("node");
        cmd.args(["--test", "--test-reporter=tap"])
            .current_dir(dir)
            .envs(env.iter().copied());
        let (mut p, mut f) = (0, 0);
        let ok = stream(cmd, |line| {
            if let Some(n) = line.strip_prefix("# pass ") {
                p = n.trim().parse().unwrap_or(0);
            }
            if let Some(n) = line.strip_prefix("# fail ") {
                f = n.trim().parse().unwrap_or(0);
            }
        })?;
        self.passed += p;
        self.failed += f;
        if ok && p > 0 {
            Ok(())
        } else {
            Err("node --test failed (or ran no test)".into())
        }
    }

    /// pytest in `dir`, with the emulator binary it should start.
    pub fn pytest(&mut self, python: &Path, dir: &Path, emulator: &Path) -> Result<(), String> {
        let mut cmd = Command::new(python);
        cmd.args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
            .current_dir(dir)
            .env("NOMADIC_EMULATOR_BIN", emulator);
        let (mut p, mut f) = (0, 0);
        let ok = stream(cmd, |line| {
            if line.contains(" passed") || line.contains(" failed") {
                p = count_before(line, "passed");
                f = count_before(line, "failed")
                    + count_before(line, "error")
                    + count_before(line, "errors");
            }
        })?;
        self.passed += p;
        self.failed += f;
        if ok {
            Ok(())
        } else {
            Err("pytest failed".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::count_before;

    #[test]
    fn counts_runner_lines() {
        assert_eq!(
            count_before("test result: ok. 13 passed; 2 failed; 0 ignored", "passed"),
            13
        );
        assert_eq!(
            count_before("test result: ok. 13 passed; 2 failed; 0 ignored", "failed"),
            2
        );
        assert_eq!(
            count_before("42 passed, 10 warnings in 2.00s", "passed"),
            42
        );
        assert_eq!(count_before("no tests", "passed"), 0);
    }
}
