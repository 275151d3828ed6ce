//! Shared set-up for the HTTP tests: each test gets its own emulator process and data directory.
#![allow(dead_code)]

pub use nomadic_emulator::mp4::synth;
pub use nomadic_emulator::testkit::{multipart, Client, Resp, Running};
use std::path::{Path, PathBuf};

pub const KEY: &str = "test-key-abcdef123456";

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "nomadic-emu-{tag}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_nomadic-emulator"))
}

pub fn start(data: &TempDir, extra: &[&str]) -> Running {
    let mut args = vec!["--api-key", KEY];
    args.extend_from_slice(extra);
    Running::start(bin(), data.path(), &args).expect("emulator starts")
}

/// A fresh emulator with no processing delay.
pub fn fresh(extra: &[&str]) -> (TempDir, Running, Client) {
    let dir = TempDir::new("t");
    let mut args = vec!["--processing-delay-ms", "0"];
    args.extend_from_slice(extra);
    let emu = start(&dir, &args);
    let c = emu.client(KEY);
    (dir, emu, c)
}

/// Uploads `bytes` as a file named `name`; returns the response.
pub fn upload(c: &Client, name: &str, bytes: &[u8], extra_fields: &[(&str, &str)]) -> Resp {
    let defaults = [
        ("source", "file"),
        ("firebase_collection_name", "videos"),
        ("scope", "user"),
    ];
    let mut fields: Vec<(&str, &str)> = defaults
        .into_iter()
        .filter(|(k, _)| !extra_fields.iter().any(|(e, _)| e == k))
        .collect();
    fields.extend_from_slice(extra_fields);
    let (ct, body) = multipart(&fields, &[("file", name, "video/mp4", bytes)]);
    c.send("POST", "/api/upload-video", &[], Some((&ct, body)))
        .expect("upload request")
}

pub fn my_videos(c: &Client) -> Vec<serde_json::Value> {
    c.get("/api/my-videos").unwrap().json()["videos"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

pub fn admin(c: &Client) -> Client {
    Client {
        addr: c.addr.clone(),
        key: None,
    }
}
