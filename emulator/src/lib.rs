//! `nomadic-emulator`: a local, persistent implementation of the NomadicML HTTP API.
//!
//! Real HTTP, real parsing of form, multipart and JSON bodies, SQLite persistence, MP4 container
//! parsing, scripted deterministic analysis, and an admin API for tests (`/__emulator/`).

pub mod admin;
pub mod body;
pub mod config;
pub mod db;
pub mod error;
pub mod fetch;
pub mod glob;
pub mod idempotency;
pub mod mp4;
pub mod png;
pub mod routes;
pub mod rules;
pub mod server;
pub mod state;
pub mod storage;
pub mod testkit;
pub mod util;

use config::Config;
use rules::Rules;
use state::{App, AppRef};
use std::sync::Arc;

/// The rules of `--rules FILE`, or none.
pub fn load_rules(cfg: &Config) -> Result<Rules, String> {
    match &cfg.rules_file {
        None => Ok(Rules::default()),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|e| format!("--rules {}: {e}", p.display()))?;
            Rules::parse(&text).map_err(|e| format!("--rules {}: {e}", p.display()))
        }
    }
}

/// Opens the data directory, recovers from any crash, binds, and serves until the process ends.
pub async fn run(cfg: Config) -> Result<(), String> {
    let videos = cfg.data_dir.join("videos");
    std::fs::create_dir_all(&videos)
        .map_err(|e| format!("--data-dir {}: {e}", cfg.data_dir.display()))?;
    let conn = db::open(&cfg.data_dir).map_err(|e| format!("database: {e}"))?;
    let rules = load_rules(&cfg)?;
    let mut cfg = cfg;
    if cfg.admin_token.is_none() {
        cfg.admin_token = Some(uuid::Uuid::new_v4().simple().to_string());
    }
    let app: AppRef = Arc::new(App::new(cfg, conn, rules));
    storage::recover(&app).map_err(|e| format!("recovery: {e}"))?;
    let listener = tokio::net::TcpListener::bind(app.cfg.addr)
        .await
        .map_err(|e| format!("--addr {}: {e}", app.cfg.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let _ = app.public_base.set(format!("http://{addr}"));
    routes::imports::spawn_worker(app.clone());
    // The line tests and scripts wait for; it names the real port when --addr asked for port 0.
    // One line, as it always was; the admin token (which pages of other origins need for
    // /__emulator/) comes after the part scripts parse. Written without panicking: a reader may
    // close the pipe once it has the line.
    use std::io::Write;
    let _ = writeln!(
        std::io::stdout(),
        "nomadic-emulator listening on http://{addr} (data: {}; admin token: {})",
        app.cfg.data_dir.display(),
        app.cfg.admin_token.as_deref().unwrap_or("")
    );
    server::serve(app, listener).await;
    Ok(())
}
