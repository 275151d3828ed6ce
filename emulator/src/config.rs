//! Command-line flags. Hand-parsed: the flag set is small and fixed, and a CLI crate would be
//! the emulator's largest dependency.

use std::net::SocketAddr;
use std::path::PathBuf;

/// The development key accepted when no `--api-key` is given.
pub const DEFAULT_API_KEY: &str = "nomadic-dev-key";

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub api_keys: Vec<String>,
    pub static_dir: Option<PathBuf>,
    /// `(provider, bucket, directory)` with provider `gcs` or `s3`.
    pub buckets: Vec<(String, String, PathBuf)>,
    pub processing_delay_ms: u64,
    /// The pace of a prompt analysis's event stream.
    pub stream_event_ms: u64,
    pub rules_file: Option<PathBuf>,
    pub max_upload_bytes: u64,
    /// Lets a page of another origin use the admin API (`X-Emulator-Token`); made up at start
    /// when not given.
    pub admin_token: Option<String>,
    /// The admin API under `/__emulator/` (health aside); on unless `--no-admin`.
    pub admin: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8787)),
            data_dir: PathBuf::from("./.nomadic-emulator"),
            api_keys: vec![DEFAULT_API_KEY.to_string()],
            static_dir: None,
            buckets: Vec::new(),
            processing_delay_ms: 300,
            stream_event_ms: 150,
            rules_file: None,
            max_upload_bytes: 2 * 1024 * 1024 * 1024,
            admin_token: None,
            admin: true,
        }
    }
}

pub const USAGE: &str = "nomadic-emulator: a local, persistent NomadicML API

USAGE: nomadic-emulator [FLAGS]

  --addr HOST:PORT            listen address (default 127.0.0.1:8787; port 0 picks a free one)
  --data-dir DIR              SQLite database and video files (default ./.nomadic-emulator)
  --api-key KEY               accepted API key, repeatable (default: nomadic-dev-key)
  --static DIR                serve DIR at / (never shadows /api/ or /__emulator/)
  --bucket gs://NAME=DIR      map a GCS bucket to a local directory, repeatable
  --bucket s3://NAME=DIR      map an S3 bucket to a local directory, repeatable
  --processing-delay-ms N     how long a new upload or analysis stays in progress (default 300)
  --stream-event-ms N         time between the events of a prompt analysis's stream (default 150)
  --rules FILE                analysis rules (JSON), see the README
  --max-upload-bytes N        uploads above N bytes get 413 (default 2147483648)
  --admin-token TOKEN         token a page of another origin must send (X-Emulator-Token) to
                              use /__emulator/ (default: a new one, printed at start)
  --admin                     serve the admin API under /__emulator/ (the default)
  --no-admin                  do not serve it (only /__emulator/health answers)
  --help                      this text
";

/// Parses `args` (without the program name). `Err` carries a message for the user.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Config, String> {
    let mut cfg = Config::default();
    let mut keys = Vec::new();
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_string());
        }
        // Accept both `--flag value` and `--flag=value`.
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (flag.clone(), None),
        };
        let mut value = || -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "--admin" => cfg.admin = true,
            "--no-admin" => cfg.admin = false,
            "--addr" => {
                let v = value()?;
                cfg.addr = v.parse().map_err(|_| {
                    format!("--addr: '{v}' is not HOST:PORT (an IP address and a port)")
                })?;
            }
            "--data-dir" => cfg.data_dir = PathBuf::from(value()?),
            "--api-key" => {
                let v = value()?;
                if v.trim().is_empty() {
                    return Err("--api-key: the key must not be empty".into());
                }
                keys.push(v);
            }
            "--static" => cfg.static_dir = Some(PathBuf::from(value()?)),
            "--bucket" => cfg.buckets.push(parse_bucket(&value()?)?),
            "--processing-delay-ms" => {
                let v = value()?;
                cfg.processing_delay_ms = v
                    .parse()
                    .map_err(|_| format!("--processing-delay-ms: '{v}' is not a whole number"))?;
            }
            "--stream-event-ms" => {
                let v = value()?;
                cfg.stream_event_ms = v
                    .parse()
                    .map_err(|_| format!("--stream-event-ms: '{v}' is not a whole number"))?;
            }
            "--rules" => cfg.rules_file = Some(PathBuf::from(value()?)),
            "--admin-token" => cfg.admin_token = Some(value()?),
            "--max-upload-bytes" => {
                let v = value()?;
                cfg.max_upload_bytes = v
                    .parse()
                    .map_err(|_| format!("--max-upload-bytes: '{v}' is not a whole number"))?;
            }
            other => return Err(format!("unknown flag '{other}'\n\n{USAGE}")),
        }
    }
    if !keys.is_empty() {
        cfg.api_keys = keys;
    }
    Ok(cfg)
}

fn parse_bucket(spec: &str) -> Result<(String, String, PathBuf), String> {
    let bad = || format!("--bucket: '{spec}' is not gs://NAME=DIR or s3://NAME=DIR");
    let (uri, dir) = spec.split_once('=').ok_or_else(bad)?;
    let (provider, name) = if let Some(n) = uri.strip_prefix("gs://") {
        ("gcs", n)
    } else if let Some(n) = uri.strip_prefix("s3://") {
        ("s3", n)
    } else {
        return Err(bad());
    };
    let name = name.trim_end_matches('/');
    if name.is_empty() || name.contains('/') || dir.is_empty() {
        return Err(bad());
    }
    Ok((provider.to_string(), name.to_string(), PathBuf::from(dir)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn defaults_and_flags() {
        let c = parse(args("")).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:8787");
        assert_eq!(c.api_keys, vec![DEFAULT_API_KEY]);
        let c = parse(args(
            "--addr 127.0.0.1:0 --api-key a --api-key=b --bucket gs://fleet=/tmp/x --bucket s3://arch=/y --processing-delay-ms 0",
        ))
        .unwrap();
        assert_eq!(c.addr.port(), 0);
        assert_eq!(c.api_keys, vec!["a", "b"]);
        assert_eq!(
            c.buckets[0],
            ("gcs".into(), "fleet".into(), PathBuf::from("/tmp/x"))
        );
        assert_eq!(c.buckets[1].0, "s3");
        assert_eq!(c.processing_delay_ms, 0);
    }

    #[test]
    fn rejects_bad_flags() {
        assert!(parse(args("--bucket http://x=/y")).is_err());
        assert!(parse(args("--addr nowhere")).is_err());
        assert!(parse(args("--bogus")).is_err());
        assert!(parse(args("--processing-delay-ms")).is_err());
    }
}
