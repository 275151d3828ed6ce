"""Cloud imports, import jobs and cloud integrations, driven by the published client."""
import json
import time

import pytest

from conftest import GCS_BUCKET, GCS_OBJECTS, S3_BUCKET

TERMINAL = {"UPLOADED", "UPLOADING_FAILED"}


def wait_rows(client, job_id, limit=500, timeout=60):
    """The reference doc's readiness loop: rows materialised up to total, each terminal."""
    deadline = time.time() + timeout
    while True:
        job = client.video.get_import_job(job_id)
        seen, cursor = {}, None
        while True:
            page = client.video.get_import_job_videos(job_id, limit=limit, cursor=cursor)
            for row in page["videos"]:
                seen[row["video_id"]] = row
            if not page["has_more"]:
                break
            cursor = page["next_cursor"]
        if len(seen) >= job["total"] and all(r["status"] in TERMINAL for r in seen.values()):
            # The job document read before the last rows landed may be stale: read it again.
            return client.video.get_import_job(job_id), seen
        assert time.time() < deadline, f"import {job_id} not done: {len(seen)}/{job['total']}"
        time.sleep(0.2)


@pytest.fixture
def gcs_integration(client, tmp_path):
    sa = tmp_path / "service-account.json"
    sa.write_text(json.dumps({"type": "service_account", "client_email": "x@y.iam", "private_key": "-----BEGIN KEY-----"}))
    return client.cloud_integrations.add(type="gcs", name="Fleet bucket", bucket=GCS_BUCKET, prefix="uploads/", credentials=str(sa))


def test_integrations_list_and_add(client, gcs_integration):
    assert gcs_integration["type"] == "gcs" and gcs_integration["bucket"] == GCS_BUCKET
    assert "private_key" not in json.dumps(gcs_integration)
    s3 = client.cloud_integrations.add(
        type="s3", name="AWS archive", bucket="drive-archive", prefix="raw/", region="us-east-1",
        credentials={"accessKeyId": "AKIA", "secretAccessKey": "shh", "sessionToken": "tok"},
    )
    assert s3["region"] == "us-east-1" and s3["prefix"] == "raw/"
    assert "shh" not in json.dumps(client.cloud_integrations.list())
    ids = {i["id"] for i in client.cloud_integrations.list()}
    assert {gcs_integration["id"], s3["id"]} <= ids
    assert all(i["type"] == "gcs" for i in client.cloud_integrations.list(type="gcs"))
    assert s3["id"] in {i["id"] for i in client.cloud_integrations.list(type="s3")}


def test_gcs_import_of_forty_objects(client, gcs_integration, unique):
    uris = [f"gs://{GCS_BUCKET}/uploads/cam_{i:03d}.mp4" for i in range(GCS_OBJECTS)]
    res = client.upload(uris, folder=unique)
    assert res["status"] == "importing" and res["import_job_id"].startswith("ij_")
    job, rows = wait_rows(client, res["import_job_id"], limit=7)
    assert job["total"] == GCS_OBJECTS and job["source"] == "gcs" and job["bucket"] == GCS_BUCKET
    assert job["folder_name"] == unique and job["completed_at"]
    assert len(rows) == GCS_OBJECTS
    assert all(r["status"] == "UPLOADED" for r in rows.values())
    assert sorted(r["import_source_uri"] for r in rows.values()) == sorted(uris)
    videos = client.my_videos(folder=unique)
    assert len(videos) == GCS_OBJECTS
    durations = sorted(v["duration_s"] for v in videos)
    assert durations == [pytest.approx(10 + i) for i in range(GCS_OBJECTS)]


def test_cursor_and_offset_pages(client, gcs_integration):
    uris = [f"gs://{GCS_BUCKET}/uploads/cam_{i:03d}.mp4" for i in range(12)]
    job_id = client.upload(uris)["import_job_id"]
    wait_rows(client, job_id)
    first = client.video.get_import_job_videos(job_id, limit=5)
    assert first["video_count"] == 5 and first["has_more"] and first["next_cursor"] == first["videos"][-1]["video_id"]
    second = client.video.get_import_job_videos(job_id, limit=5, cursor=first["next_cursor"])
    assert second["cursor"] == first["next_cursor"]
    third = client.video.get_import_job_videos(job_id, limit=5, cursor=second["next_cursor"])
    assert third["video_count"] == 2 and not third["has_more"] and third["next_cursor"] is None
    by_cursor = [r["video_id"] for p in (first, second, third) for r in p["videos"]]
    assert len(set(by_cursor)) == 12
    by_offset = []
    for off in (0, 5, 10):
        by_offset += [r["video_id"] for r in client.video.get_import_job_videos(job_id, limit=5, offset=off)["videos"]]
    assert by_offset == by_cursor
    default = client.video.get_import_job_videos(job_id)
    assert default["limit"] == 500 and default["video_count"] == 12
    alias = client.video.get_import_job_uploaded_video_ids(job_id, limit=5)
    assert [r["video_id"] for r in alias["videos"]] == by_cursor[:5]


def test_s3_import_with_a_missing_object(client, unique):
    uris = [f"s3://{S3_BUCKET}/videos/clip_001.mp4", f"s3://{S3_BUCKET}/videos/missing.mp4", f"s3://{S3_BUCKET}/videos/clip_002.mp4"]
    res = client.upload(uris, folder=unique, scope="org")
    job, rows = wait_rows(client, res["import_job_id"])
    assert job["source"] == "s3" and job["total"] == 3
    failed = [r for r in rows.values() if r["status"] == "UPLOADING_FAILED"]
    assert len(failed) == 1 and failed[0]["import_source_uri"].endswith("missing.mp4")
    assert "not found" in failed[0]["error"]
    assert sum(r["status"] == "UPLOADED" for r in rows.values()) == 2
    assert job["status"] == "partial"


def test_s3_with_integration_id_for_another_bucket_fails_rows(client):
    other = client.cloud_integrations.add(type="s3", name="other", bucket="not-this-one", region="eu-west-1",
                                          credentials={"access_key_id": "a", "secret_access_key": "b"})
    res = client.upload(f"s3://{S3_BUCKET}/videos/clip_001.mp4", integration_id=other["id"])
    _, rows = wait_rows(client, res["import_job_id"])
    (row,) = rows.values()
    assert row["status"] == "UPLOADING_FAILED" and "not-this-one" in row["error"]


def test_unknown_bucket_fails_rows(client):
    res = client.upload(["s3://no-such-bucket/a.mp4"])
    _, rows = wait_rows(client, res["import_job_id"])
    (row,) = rows.values()
    assert row["status"] == "UPLOADING_FAILED" and "--bucket" in row["error"]


def test_cloud_multiview_total_counts_sets(client, emulator, unique):
    base = f"s3://{S3_BUCKET}/videos"
    sets = [
        {"front": f"{base}/trip/front.mp4", "left": f"{base}/trip/left.mp4", "right": f"{base}/trip/right.mp4"},
        {"front": f"{base}/clip_001.mp4", "left": f"{base}/clip_002.mp4"},
    ]
    res = client.upload(sets, folder=unique, scope="org")
    job, rows = wait_rows(client, res["import_job_id"])
    assert job["total"] == 2 and len(rows) == 2
    assert sorted(r["import_source_uri"] for r in rows.values()) == sorted(s["front"] for s in sets)
    from nomadicml.exceptions import APIError
    with pytest.raises(APIError) as e:
        client.video.get_import_job_videos(res["import_job_id"], offset=0)
    assert e.value.status_code == 400
    front = next(v for v in client.my_videos(folder=unique, scope="org") if v["video_id"] in rows)
    assert set(front["views"]) in ({"front", "left", "right"}, {"front", "left"})


def test_cloud_multiview_gcs(client, gcs_integration):
    res = client.upload({"front": f"gs://{GCS_BUCKET}/uploads/cam_000.mp4", "rear": f"gs://{GCS_BUCKET}/uploads/cam_001.mp4"})
    job, rows = wait_rows(client, res["import_job_id"])
    assert job["total"] == 1 and [r["status"] for r in rows.values()] == ["UPLOADED"]


def test_gcs_without_integration_id_matches_a_saved_one(client, emulator, gcs_integration):
    emulator.admin("DELETE", "requests")
    res = client.upload(f"gs://{GCS_BUCKET}/uploads/cam_002.mp4")
    sent = [(r["method"], r["path"], r["status"]) for r in emulator.requests_log()]
    assert sent == [("GET", "/api/cloud-integrations", 200), ("POST", "/api/gcs/upload", 200)]
    _, rows = wait_rows(client, res["import_job_id"])
    assert [r["status"] for r in rows.values()] == ["UPLOADED"]
