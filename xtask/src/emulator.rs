//! A throwaway emulator for the test run: a fresh data directory, empty mapped buckets, a free
//! port; killed and cleaned up on drop.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct Emulator {
    child: Child,
    pub url: String,
    dir: PathBuf,
}

impl Emulator {
    /// `buckets`: URIs such as `gs://name`, each mapped to an empty directory of its own.
    pub fn start(bin: &Path, extra: &[&str], buckets: &[&str]) -> Result<Emulator, String> {
        let dir = std::env::temp_dir().join(format!("nomadic-xtask-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut flags: Vec<String> = Vec::new();
        for (i, b) in buckets.iter().enumerate() {
            let bucket_dir = dir.join(format!("bucket-{i}"));
            std::fs::create_dir_all(&bucket_dir).map_err(|e| e.to_string())?;
            flags.push("--bucket".into());
            flags.push(format!("{b}={}", bucket_dir.display()));
        }
        let data = dir.join("data");
        std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
        let mut child = Command::new(bin)
            .args(["--addr", "127.0.0.1:0", "--data-dir"])
            .arg(&data)
            .args(extra)
            .args(&flags)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{}: {e}", bin.display()))?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let mut reader = BufReader::new(out);
            reader.read_line(&mut line).map_err(|e| e.to_string())?;
            // Keep reading its output so it never blocks on a full pipe.
            std::thread::spawn(move || for _ in reader.lines().map_while(Result::ok) {});
        }
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .ok_or_else(|| format!("the emulator did not start: {line:?}"))?
            .to_string();
        Ok(Emulator { child, url, dir })
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
