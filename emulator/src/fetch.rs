//! `video_url` uploads: an HTTP/1.1 GET to loopback hosts only. The emulator has no business
//! reaching the network, so any other host is refused with a reason the caller can read.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Downloads `url` into the file at `dest`; returns the byte count or why it failed.
pub async fn fetch_to_file(url: &str, dest: &Path, max_bytes: u64) -> Result<u64, String> {
    let rest = if let Some(r) = url.strip_prefix("http://") {
        r
    } else if let Some(r) = url.strip_prefix("https://") {
        let host = r.split('/').next().unwrap_or("");
        return Err(format!(
            "cannot fetch {host}: the emulator only fetches video_url from loopback hosts over plain http \
             (serve the file from http://127.0.0.1:PORT/...)"
        ));
    } else {
        return Err("video_url must be an http(s) URL".into());
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr = loopback_addr(authority).ok_or_else(|| {
        format!(
            "cannot fetch {authority}: the emulator only fetches video_url from loopback hosts \
             (127.0.0.0/8, localhost, [::1])"
        )
    })?;
    let work = async {
        let mut s = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("cannot connect to {authority}: {e}"))?;
        let req = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nUser-Agent: nomadic-emulator\r\n\r\n");
        s.write_all(req.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut buf = Vec::new();
        (&mut s)
            .take(max_bytes + 64 * 1024)
            .read_to_end(&mut buf)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<Vec<u8>, String>(buf)
    };
    let raw = tokio::time::timeout(Duration::from_secs(120), work)
        .await
        .map_err(|_| format!("fetching {url} timed out"))??;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the video_url server sent no HTTP answer")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    if status != 200 {
        return Err(format!("fetching video_url gave HTTP {status}"));
    }
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if chunked {
        body = dechunk(&body).ok_or("the video_url server sent a broken chunked body")?;
    }
    if body.len() as u64 > max_bytes {
        return Err(format!(
            "the video at video_url exceeds the upload limit of {max_bytes} bytes"
        ));
    }
    tokio::fs::write(dest, &body)
        .await
        .map_err(|e| e.to_string())?;
    Ok(body.len() as u64)
}

fn loopback_addr(authority: &str) -> Option<SocketAddr> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, rest) = v6.split_once(']')?;
        (h, rest.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port: u16 = match port {
        Some(p) => p.parse().ok()?,
        None => 80,
    };
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::from([127, 0, 0, 1])
    } else {
        host.parse().ok()?
    };
    ip.is_loopback().then_some(SocketAddr::new(ip, port))
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback() {
        assert!(loopback_addr("127.0.0.1:8000").is_some());
        assert!(loopback_addr("localhost").is_some());
        assert!(loopback_addr("[::1]:9").is_some());
        assert!(loopback_addr("example.com").is_none());
        assert!(loopback_addr("10.0.0.1:80").is_none());
        assert!(loopback_addr("127.0.0.1:notaport").is_none());
    }

    #[test]
    fn chunked_bodies() {
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap(),
            b"abcde"
        );
        assert!(dechunk(b"ff\r\nab").is_none());
    }
}
