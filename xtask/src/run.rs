//! Running commands: plain, captured, or as test runners whose counts are added up.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

pub fn status(program: &str, args: &[&str]) -> Result<(), String> {
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(super::root());
    checked(cmd, program, args)
}

/// Runs `cmd`; a failure names the command.
fn checked(mut cmd: Command, program: &str, args: &[&str]) -> Result<(), String> {
    let s = cmd.status().map_err(|e| format!("{program}: {e}"))?;
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
        let mut cmd = Command::new("apt-get");
        cmd.args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null());
        checked(cmd, "apt-get", args)
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
fn stream(cmd: Command, scan: impl FnMut(&str)) -> Result<bool, String> {
    stream_watched(cmd, None, scan)
}

/// A watch on a streamed command: once a line containing `arm` appears, a line containing
/// `done` must follow within `seconds`, or the command and everything it started are killed.
#[derive(Clone, Copy)]
pub struct Watch {
    pub arm: &'static str,
    pub done: &'static str,
    pub seconds: u64,
}

fn stream_watched(
    mut cmd: Command,
    watch: Option<Watch>,
    mut scan: impl FnMut(&str),
) -> Result<bool, String> {
    use std::os::unix::process::CommandExt;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    cmd.process_group(0);
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    // When the watch was armed, until its `done` line came.
    let armed: Arc<Mutex<Option<Instant>>> = Arc::new(Mutex::new(None));
    let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
    if let Some(w) = watch {
        let (armed, finished, group) = (armed.clone(), finished.clone(), child.id());
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_secs(1));
            if finished.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            let late = armed
                .lock()
                .map(|a| a.is_some_and(|t| t.elapsed() > Duration::from_secs(w.seconds)))
                .unwrap_or(false);
            if late {
                println!(
                    "xtask: nothing ran within {} s of '{}'; stopping it",
                    w.seconds, w.arm
                );
                // `--`: /usr/bin/kill reads a bare negative number as an option.
                let _ = Command::new("kill")
                    .args(["-9", "--", &format!("-{group}")])
                    .status();
                return;
            }
        });
    }
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            if let (Some(w), Ok(mut a)) = (watch, armed.lock()) {
                if line.contains(w.arm) && a.is_none() {
                    *a = Some(Instant::now());
                }
                if line.contains(w.done) {
                    finished.store(true, std::sync::atomic::Ordering::SeqCst);
                }
            }
            scan(&line);
        }
    }
    finished.store(true, std::sync::atomic::Ordering::SeqCst);
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
        self.count_cargo_flagging(cmd, None)
            .map_err(|_| "cargo test failed".to_string())
    }

    /// Like `count_cargo`; `Err(true)` when no test ever started (a hung browser), which is
    /// worth another try, unlike a failing test.
    fn count_cargo_flagging(&mut self, cmd: Command, watch: Option<Watch>) -> Result<(), bool> {
        let (mut p, mut f, mut started) = (0, 0, false);
        let ok = stream_watched(cmd, watch, |line| {
            if line.starts_with("test result:") {
                p += count_before(line, "passed");
                f += count_before(line, "failed");
            }
            started |= line.starts_with("running ") && line.ends_with(" tests");
        })
        .unwrap_or(false);
        self.passed += p;
        self.failed += f;
        if ok {
            Ok(())
        } else {
            Err(!started && p == 0 && f == 0)
        }
    }

    /// The browser suite. Headless Chromium here sometimes hangs while opening the test page
    /// (the driver then waits 300 s for the renderer): a run whose tests have not started 120 s
    /// after the browser was launched is stopped and tried again, at most three times.
    pub fn cargo_test_browser(
        &mut self,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<(), String> {
        // Headless Chromium here sometimes stalls before it runs the test page (the cause is not
        // found; the machine is idle then). Tests start within seconds when it does not, so a
        // stall is cut at 60 s and the run tried again, up to six times in all.
        const ATTEMPTS: u32 = 6;
        for attempt in 1..=ATTEMPTS {
            let mut cmd = Command::new("cargo");
            cmd.args(args)
                .current_dir(super::root())
                .envs(env.iter().copied());
            let watch = Watch {
                arm: "Running headless tests",
                done: "running ",
                seconds: 60,
            };
            match self.count_cargo_flagging(cmd, Some(watch)) {
                Ok(()) => return Ok(()),
                Err(true) if attempt < ATTEMPTS => {
                    println!("xtask: Chromium never ran the tests; trying again")
                }
                Err(_) => break,
            }
        }
        Err("cargo test failed".into())
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
        self.record(p, f, ok && p > 0, "node --test failed (or ran no test)")
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
        self.record(p, f, ok, "pytest failed")
    }

    /// Adds a runner's counts; `Err(why)` unless it succeeded.
    fn record(&mut self, passed: u64, failed: u64, ok: bool, why: &str) -> Result<(), String> {
        self.passed += passed;
        self.failed += failed;
        if ok {
            Ok(())
        } else {
            Err(why.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{count_before, stream_watched, Watch};
    use std::process::Command;
    use std::time::{Duration, Instant};

    #[test]
    fn the_watchdog_stops_a_hung_command_and_its_children() {
        let mut cmd = Command::new("sh");
        cmd.args([
            "-c",
            "echo 'Running headless tests'; sleep 30; echo 'running 1 tests'",
        ]);
        let t = Instant::now();
        let watch = Watch {
            arm: "Running headless tests",
            done: "running ",
            seconds: 1,
        };
        let ok = stream_watched(cmd, Some(watch), |_| {}).unwrap();
        assert!(
            !ok && t.elapsed() < Duration::from_secs(10),
            "{:?}",
            t.elapsed()
        );
        // A command that gets there in time is left alone.
        let mut cmd = Command::new("sh");
        cmd.args([
            "-c",
            "echo 'Running headless tests'; echo 'running 1 tests'; sleep 2",
        ]);
        assert!(stream_watched(cmd, Some(watch), |_| {}).unwrap());
    }

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
