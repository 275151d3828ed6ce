//! Emulator benchmark: start-up time, and the latency of 500-row pages of a 200,000-row import
//! job walked by cursor, against the health endpoint as a same-run baseline.
//!
//! `cargo run --release -p nomadic-emulator --example bench` (or `cargo xtask bench`).
//! Prints figures; asserts nothing about time (these machines are shared and noisy).

use nomadic_emulator::testkit::{Client, Running};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const KEY: &str = "bench-key";
const ROWS: u32 = 200_000;
const PAGE: u32 = 500;

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let bin = PathBuf::from(std::env::var("NOMADIC_EMULATOR_BIN").unwrap_or_else(|_| {
        let exe = std::env::current_exe().expect("exe");
        // target/<profile>/examples/bench -> target/<profile>/nomadic-emulator
        exe.parent()
            .and_then(|p| p.parent())
            .expect("target dir")
            .join("nomadic-emulator")
            .display()
            .to_string()
    }));
    let root = std::env::temp_dir().join(format!("nomadic-bench-{}", std::process::id()));

    // Start-up: spawn to first answered request, on a fresh data directory each time.
    let mut startups = Vec::new();
    for i in 0..7 {
        let dir = root.join(format!("start{i}"));
        std::fs::create_dir_all(&dir).expect("dir");
        let t = Instant::now();
        let emu = Running::start(&bin, &dir, &["--api-key", KEY]).expect("start");
        let c = Client {
            addr: emu.addr.clone(),
            key: None,
        };
        let ok = c
            .get("/__emulator/health")
            .map(|r| r.status == 200)
            .unwrap_or(false);
        startups.push(t.elapsed());
        assert!(ok, "health check failed");
    }
    println!(
        "start-up (spawn to first answer, fresh data dir): median {}, max {}",
        ms(median(&mut startups)),
        ms(*startups.iter().max().unwrap())
    );

    let dir = root.join("paging");
    std::fs::create_dir_all(&dir).expect("dir");
    let emu = Running::start(&bin, &dir, &["--api-key", KEY]).expect("start");
    let admin = Client {
        addr: emu.addr.clone(),
        key: None,
    };
    let t = Instant::now();
    let seeded = admin
        .json(
            "POST",
            &format!("/__emulator/import-jobs?api_key={KEY}"),
            &serde_json::json!({"total": ROWS}),
        )
        .expect("seed")
        .json();
    println!("seeded a {ROWS}-row import job in {}", ms(t.elapsed()));
    let job = seeded["import_job_id"]
        .as_str()
        .expect("job id")
        .to_string();
    let c = emu.client(KEY);

    // Baseline: the cheapest authenticated JSON request.
    let mut base = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let r = c
            .send("POST", "/api/keys/verify", &[], None)
            .expect("verify");
        base.push(t.elapsed());
        assert_eq!(r.status, 200);
    }

    // The whole job by cursor, 500 rows a page.
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    let mut rows = 0u64;
    loop {
        let path = match &cursor {
            None => format!("/api/import-jobs/{job}/videos?limit={PAGE}"),
            Some(c) => format!("/api/import-jobs/{job}/videos?limit={PAGE}&cursor={c}"),
        };
        let t = Instant::now();
        let r = c.get(&path).expect("page");
        pages.push(t.elapsed());
        let p = r.json();
        rows += p["video_count"].as_u64().expect("count");
        if p["has_more"] != true {
            break;
        }
        cursor = p["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(rows, u64::from(ROWS), "every row exactly once");
    // Offset pages near the end: the fallback's worst case.
    let mut offsets = Vec::new();
    for i in 0..20 {
        let t = Instant::now();
        c.get(&format!(
            "/api/import-jobs/{job}/videos?limit={PAGE}&offset={}",
            ROWS - PAGE * (i + 1)
        ))
        .expect("page");
        offsets.push(t.elapsed());
    }
    let mut job_doc = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        c.get(&format!("/api/import-jobs/{job}")).expect("job");
        job_doc.push(t.elapsed());
    }
    let (bm, pm) = (median(&mut base), median(&mut pages));
    println!("baseline POST /api/keys/verify: median {}", ms(bm));
    println!(
        "cursor page of {PAGE} rows ({} pages, {rows} rows): median {}, p95 {}, max {} (median {:.1}x baseline)",
        pages.len(),
        ms(pm),
        ms(pct(&mut pages, 0.95)),
        ms(*pages.iter().max().unwrap()),
        pm.as_secs_f64() / bm.as_secs_f64()
    );
    println!(
        "offset page of {PAGE} rows near the end: median {}",
        ms(median(&mut offsets))
    );
    println!(
        "GET import job (status over {ROWS} rows): median {}",
        ms(median(&mut job_doc))
    );
    drop(emu);
    let _ = std::fs::remove_dir_all(&root);
}
