//! The shared state every handler sees.

use crate::config::Config;
use crate::error::ApiError;
use crate::rules::Rules;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};

pub type AppRef = Arc<App>;

pub struct App {
    pub cfg: Config,
    db: Mutex<Connection>,
    pub rules: RwLock<Rules>,
    pub faults: Mutex<Vec<Fault>>,
    pub log: Mutex<Vec<LogEntry>>,
    /// Where uploaded and imported video bytes live.
    pub videos_dir: PathBuf,
    /// `http://HOST:PORT` of the bound listener, for absolute thumbnail URLs.
    pub public_base: OnceLock<String>,
    /// Wakes the import worker when a job is created.
    pub import_wakeup: tokio::sync::Notify,
    /// `(user, Idempotency-Key)` pairs whose first attempt is still running.
    pub in_flight: Mutex<HashSet<(String, String)>>,
}

impl App {
    pub fn new(cfg: Config, db: Connection, rules: Rules) -> App {
        let videos_dir = cfg.data_dir.join("videos");
        App {
            cfg,
            db: Mutex::new(db),
            rules: RwLock::new(rules),
            faults: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
            videos_dir,
            public_base: OnceLock::new(),
            import_wakeup: tokio::sync::Notify::new(),
            in_flight: Mutex::new(HashSet::new()),
        }
    }

    /// The database. Queries are short; a poisoned lock (a panic elsewhere) is recovered,
    /// since SQLite's own transactions keep the data consistent.
    pub fn db(&self) -> MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn base_url(&self) -> &str {
        self.public_base
            .get()
            .map(String::as_str)
            .unwrap_or("http://127.0.0.1:8787")
    }
}

/// Locks a mutex, recovering from poisoning (state stays usable after a handler panic).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The authenticated caller, put into the request by the auth middleware.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or(ApiError::Unauthorized)
    }
}

/// An injected fault (`POST /__emulator/faults`), applied to the next `times` matching requests.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Fault {
    pub method: String,
    /// The request path; `*` matches any run of characters.
    pub path: String,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub retry_after_s: Option<u64>,
    #[serde(default)]
    pub delay_ms: Option<u64>,
    #[serde(default)]
    pub drop_connection: Option<bool>,
    /// Extension: an event stream (prompt analysis) whose connection dies after this many events.
    #[serde(default)]
    pub cut_after_events: Option<u32>,
    /// Extension: a `Location` header for a `status` fault (a 3xx redirect).
    #[serde(default)]
    pub location: Option<String>,
    /// Extension: the request is served (and its effects committed), then the connection dies
    /// instead of carrying the answer: an answer lost after commit.
    #[serde(default)]
    pub drop_after: Option<bool>,
    /// Extension: the request body ends in an error after this many bytes and the connection
    /// dies, as when the network cuts a body mid-way.
    #[serde(default)]
    pub cut_body_after: Option<u64>,
    /// Extension: the request is served at once, but its answer waits this long, holding its
    /// idempotency key: a first attempt slower than the client's timeout.
    #[serde(default)]
    pub slow_answer_ms: Option<u64>,
    pub times: u32,
}

/// One request as the request log shows it. Never holds the API key.
#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
    /// Extensions beyond the contract: the raw query, and which fault (if any) answered.
    pub query: Option<String>,
    pub fault: Option<&'static str>,
}
