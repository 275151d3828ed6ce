"""Drives the real emulator with the published Python client (nomadicml 0.1.53).

The emulator binary comes from NOMADIC_EMULATOR_BIN (set by `cargo xtask test`), or the
workspace's target directory. It starts once per session on a free port, with a fresh data
directory, two mapped buckets and no processing delay, so the client's first poll sees the end
state (its poll intervals are 5 to 30 seconds).
"""
import json
import os
import pathlib
import re
import subprocess
import threading
import uuid
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from mp4 import synth_mp4

ROOT = pathlib.Path(__file__).resolve().parents[2]
API_KEY = "conformance-key-0123456789"
GCS_BUCKET = "fleet-gcs"
S3_BUCKET = "fleet-s3"
GCS_OBJECTS = 40


def _binary() -> str:
    env = os.environ.get("NOMADIC_EMULATOR_BIN")
    if env:
        return env
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "nomadic-emulator"
        if p.exists():
            return str(p)
    raise RuntimeError("build the emulator first: cargo build -p nomadic-emulator")


class Emulator:
    def __init__(self, base: str, data_dir: pathlib.Path):
        self.base = base
        self.data_dir = data_dir

    def admin(self, method: str, path: str, body=None):
        r = requests.request(method, self.base + "/__emulator/" + path, json=body, timeout=30)
        r.raise_for_status()
        return r.json()

    def requests_log(self):
        return self.admin("GET", "requests")

    def raw(self, method: str, path: str, **kw):
        headers = {"X-API-Key": API_KEY}
        return requests.request(method, self.base + path, headers=headers, timeout=30, **kw)


@pytest.fixture(scope="session")
def buckets(tmp_path_factory):
    gcs = tmp_path_factory.mktemp("gcs")
    s3 = tmp_path_factory.mktemp("s3")
    for i in range(GCS_OBJECTS):
        p = gcs / "uploads" / f"cam_{i:03d}.mp4"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(synth_mp4(10 + i))
    for name in ("clip_001.mp4", "clip_002.mp4", "trip/front.mp4", "trip/left.mp4", "trip/right.mp4"):
        p = s3 / "videos" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(synth_mp4(7.5))
    return gcs, s3


@pytest.fixture(scope="session")
def emulator(tmp_path_factory, buckets):
    gcs, s3 = buckets
    data = tmp_path_factory.mktemp("emulator-data")
    proc = subprocess.Popen(
        [
            _binary(), "--addr", "127.0.0.1:0", "--data-dir", str(data), "--api-key", API_KEY,
            "--processing-delay-ms", "0",
            "--bucket", f"gs://{GCS_BUCKET}={gcs}", "--bucket", f"s3://{S3_BUCKET}={s3}",
        ],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    line = proc.stdout.readline()
    m = re.search(r"listening on (http://\S+)", line)
    if not m:
        proc.kill()
        raise RuntimeError(f"emulator did not start: {line!r}")
    # Keep draining its output so it never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    yield Emulator(m.group(1), data)
    proc.kill()
    proc.wait()


@pytest.fixture
def client(emulator):
    from nomadicml import NomadicML
    return NomadicML(api_key=API_KEY, base_url=emulator.base)


@pytest.fixture
def unique():
    return "t" + uuid.uuid4().hex[:10]


@pytest.fixture
def video_file(tmp_path):
    """Writes a synthetic MP4 of the given duration and returns its path."""
    def make(name="video.mp4", duration=12.0, **kw):
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(synth_mp4(duration, **kw))
        return str(p)
    return make


@pytest.fixture
def loopback_server(tmp_path):
    """Serves tmp_path over http on 127.0.0.1, for `video_url` uploads."""
    root = tmp_path / "www"
    root.mkdir()

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(root), **kw)

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def rules(emulator):
    """Installs analysis rules for one test, and removes them after."""
    def install(rule_list):
        emulator.admin("POST", "rules", {"rules": rule_list})
    yield install
    emulator.admin("POST", "rules", {"rules": []})


def by_name(videos, name):
    hits = [v for v in videos if v["video_name"] == name]
    assert hits, f"no video named {name!r} in {[v['video_name'] for v in videos]}"
    return hits[-1]


def jdump(x):
    return json.dumps(x, indent=1, sort_keys=True)
