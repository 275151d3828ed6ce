//! Persistent state: one SQLite database in WAL mode inside the data directory.
//!
//! Every mutation is one transaction, and video bytes are written to a temporary name, synced
//! and renamed before the row that points at them is committed, so a `kill -9` at any moment
//! leaves either the whole upload or nothing that is listed.

use rusqlite::Connection;
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS videos (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    scope TEXT NOT NULL,
    folder_id TEXT,
    name TEXT NOT NULL,
    status TEXT NOT NULL,            -- processing | uploaded | uploading_failed
    ready_at_ms INTEGER NOT NULL,    -- a processing video counts as uploaded from then on
    error TEXT,
    duration_s REAL,
    width INTEGER,
    height INTEGER,
    codec TEXT,
    size_bytes INTEGER NOT NULL DEFAULT 0,
    file TEXT,
    metadata_json TEXT,
    source TEXT NOT NULL,
    source_uri TEXT,
    views_json TEXT,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS videos_owner ON videos(owner, created_at_ms);
CREATE INDEX IF NOT EXISTS videos_folder ON videos(folder_id);
CREATE TABLE IF NOT EXISTS folders (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    owner TEXT NOT NULL,             -- user id for user scope, org id for org scope
    description TEXT,
    created_by TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    UNIQUE(scope, owner, name)
);
CREATE TABLE IF NOT EXISTS integrations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    bucket TEXT NOT NULL,
    prefix TEXT,
    region TEXT,
    endpoint_url TEXT,
    secret_json TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS import_jobs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    source TEXT NOT NULL,
    bucket TEXT NOT NULL,
    folder_id TEXT,
    scope TEXT NOT NULL,
    integration_id TEXT,
    items_json TEXT NOT NULL,        -- object keys, or view sets of full URIs
    multiview INTEGER NOT NULL,
    total INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    completed_at_ms INTEGER
);
CREATE TABLE IF NOT EXISTS import_rows (
    job_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    video_id TEXT NOT NULL,
    uri TEXT NOT NULL,
    failed_reason TEXT,              -- set: the row is UPLOADING_FAILED whatever the video says
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS import_rows_video ON import_rows(job_id, video_id);
CREATE TABLE IF NOT EXISTS analyses (
    id TEXT PRIMARY KEY,
    video_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    analysis_type TEXT NOT NULL,     -- ask | general_agent | lane_change | turn | relative_motion | driving_violations
    query TEXT,
    category TEXT,
    options_json TEXT NOT NULL,
    events_json TEXT NOT NULL,       -- events in the service's UI shape
    summary TEXT NOT NULL,
    failed_reason TEXT,
    ready_at_ms INTEGER NOT NULL,
    batch_id TEXT,
    thumbnails INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS analyses_video ON analyses(video_id, created_at_ms);
CREATE INDEX IF NOT EXISTS analyses_batch ON analyses(batch_id);
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    config_json TEXT NOT NULL,
    metadata_json TEXT NOT NULL,
    video_ids_json TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS search_sessions (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    query TEXT NOT NULL,
    folder_name TEXT NOT NULL,
    scope TEXT NOT NULL,
    result_json TEXT,
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS video_urls (
    token TEXT PRIMARY KEY,
    video_id TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS prompt_streams (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    events_json TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    content_type TEXT,
    body BLOB NOT NULL,
    PRIMARY KEY (owner, key)
);
";

const TABLES: &[&str] = &[
    "videos",
    "folders",
    "integrations",
    "import_jobs",
    "import_rows",
    "analyses",
    "batches",
    "search_sessions",
    "prompt_streams",
    "video_urls",
    "idempotency",
];

pub fn open(dir: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(dir.join("emulator.sqlite3"))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // NORMAL is durable against a killed process (the WAL is in the OS cache); only a power cut
    // can lose the newest transactions.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

/// Rows per table, for checking that a call changed state exactly once (`GET /__emulator/counts`).
pub fn counts(conn: &Connection) -> rusqlite::Result<serde_json::Map<String, serde_json::Value>> {
    let mut out = serde_json::Map::new();
    for t in TABLES {
        let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))?;
        out.insert(t.to_string(), n.into());
    }
    Ok(out)
}

/// Empties every table (the admin reset).
pub fn clear(conn: &Connection) -> rusqlite::Result<()> {
    let sql: String = TABLES.iter().map(|t| format!("DELETE FROM {t};")).collect();
    conn.execute_batch(&format!("BEGIN;{sql}COMMIT;"))
}
