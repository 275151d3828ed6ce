"""Upload flows of the reference doc, driven by the published client."""
import json

import pytest
from nomadicml.exceptions import AuthenticationError, VideoUploadError

from conftest import API_KEY, by_name


def test_verify_auth_and_wrong_key(client, emulator):
    from nomadicml import NomadicML
    assert client.verify_auth()["valid"] is True
    bad = NomadicML(api_key="not-a-real-key", base_url=emulator.base)
    with pytest.raises(AuthenticationError) as e:
        bad.my_videos()
    assert "not-a-real-key" not in str(e.value)


def test_single_file_reads_duration_from_the_container(client, video_file, unique):
    path = video_file(f"{unique}.mp4", duration=12.5, width=1280, height=720)
    res = client.upload(path)
    assert res["status"] == "uploaded" and res["video_id"]
    v = by_name(client.my_videos(), f"{unique}.mp4")
    assert v["video_id"] == res["video_id"]
    assert v["duration_s"] == pytest.approx(12.5)
    assert (v["width"], v["height"], v["codec"]) == (1280, 720, "h264")
    assert v["status"] == "uploaded"


def test_custom_name(client, video_file, unique):
    res = client.upload(video_file("raw.mp4"), name=f"Morning Commute {unique}.mp4")
    v = by_name(client.my_videos(), f"Morning Commute {unique}.mp4")
    assert v["video_id"] == res["video_id"]


def test_metadata_tuple_is_stored(client, emulator, video_file, tmp_path, unique):
    video = video_file(f"{unique}.mp4")
    meta = tmp_path / f"{unique}.json"
    sidecar = {"fields": {"speed": {"type": "number", "unit": "km/h"}}}
    meta.write_text(json.dumps(sidecar))
    res = client.upload((video, str(meta)))
    status = emulator.raw("GET", f"/api/video/{res['video_id']}/status").json()
    assert status["metadata"]["overlay_metadata"] == sidecar


def test_mixed_batch_keeps_input_order(client, video_file, tmp_path, unique):
    a, b, c = (video_file(f"{unique}_{i}.mp4", duration=3 + i) for i in range(3))
    meta = tmp_path / f"{unique}_0.json"
    meta.write_text("{}")
    results = client.upload([(a, str(meta)), b, (c, str(meta))])
    assert [r["status"] for r in results] == ["uploaded"] * 3
    videos = client.my_videos()
    for i, r in enumerate(results):
        v = by_name(videos, f"{unique}_{i}.mp4")
        assert v["video_id"] == r["video_id"]
        assert v["duration_s"] == pytest.approx(3 + i)


def test_dict_syntax_batch_with_names(client, video_file, tmp_path, unique):
    meta = tmp_path / "trip3.json"
    meta.write_text('{"trip": 3}')
    results = client.upload([
        {"video": video_file("dashcam_001.mp4"), "name": f"Trip to Downtown {unique}"},
        {"video": video_file("dashcam_002.mp4"), "name": f"Highway Merge {unique}"},
        {"video": video_file("dashcam_003.mp4"), "name": f"Parking Lot Exit {unique}", "metadata": str(meta)},
    ])
    videos = client.my_videos()
    for r, name in zip(results, ["Trip to Downtown", "Highway Merge", "Parking Lot Exit"]):
        assert by_name(videos, f"{name} {unique}")["video_id"] == r["video_id"]


def test_batch_item_failure_does_not_stop_the_others(client, video_file, tmp_path, unique):
    bad = tmp_path / f"{unique}_broken.mp4"
    bad.write_bytes(b"this is not a video at all")
    good = video_file(f"{unique}_good.mp4")
    results = client.upload([str(bad), good])
    assert results[0]["video_id"] is None and results[0]["status"] == "failed"
    assert "failed" in results[0]["error"].lower()
    assert results[1]["status"] == "uploaded"
    # The broken one is listed as failed, with the container's reason.
    failed = by_name(client.my_videos(), f"{unique}_broken.mp4")
    assert failed["status"] == "uploading_failed"
    assert "MP4" in failed["error"]


def test_folder_and_org_scope(client, video_file, unique):
    user_res = client.upload(video_file(f"{unique}_u.mp4"), folder=unique)
    org_res = client.upload(video_file(f"{unique}_o.mp4"), folder=unique, scope="org")
    user_videos = client.my_videos(folder=unique, scope="user")
    org_videos = client.my_videos(folder=unique, scope="org")
    assert [v["video_id"] for v in user_videos] == [user_res["video_id"]]
    assert [v["video_id"] for v in org_videos] == [org_res["video_id"]]
    assert org_videos[0]["org_id"] and org_videos[0]["folder_name"] == unique
    # No scope: the personal folder wins.
    assert [v["video_id"] for v in client.my_videos(folder=unique)] == [user_res["video_id"]]
    assert client.get_folder(unique)["video_count"] == 1
    assert client.get_folder(unique, scope="org")["scope"] == "org"


def test_metadata_and_folder(client, video_file, tmp_path, unique):
    meta = tmp_path / "dashcam.json"
    meta.write_text("{}")
    res = client.upload((video_file("dashcam.mp4"), str(meta)), folder=unique)
    assert [v["video_id"] for v in client.my_videos(folder=unique)] == [res["video_id"]]


def test_url_upload_from_loopback(client, loopback_server, unique):
    from mp4 import synth_mp4
    root, base = loopback_server
    (root / "demo.mp4").write_bytes(synth_mp4(21.0))
    res = client.upload(f"{base}/demo.mp4", name=f"scene {unique}.mp4")
    assert res["status"] == "uploaded"
    v = by_name(client.my_videos(), f"scene {unique}.mp4")
    assert v["duration_s"] == pytest.approx(21.0)
    plain = client.upload(f"{base}/demo.mp4")
    assert plain["status"] == "uploaded"


def test_url_upload_from_the_network_fails_with_a_reason(client, emulator):
    with pytest.raises(VideoUploadError):
        client.upload("https://storage.example.com/my-bucket/videos/demo.mp4")
    failed = [v for v in client.my_videos() if v["video_name"] == "demo.mp4" and v["status"] == "uploading_failed"]
    assert failed and "loopback" in failed[-1]["error"]


def test_local_multiview_set(client, emulator, video_file, unique):
    res = client.upload(
        {"front": video_file(f"{unique}_front.mp4"), "left": video_file(f"{unique}_left.mp4"), "right": video_file(f"{unique}_right.mp4")},
        folder=unique,
    )
    front = by_name(client.my_videos(folder=unique), f"{unique}_front.mp4")
    assert res["video_id"] == front["video_id"]
    assert set(front["views"]) == {"front", "left", "right"}
    assert front["views"]["front"] == front["video_id"]


def test_delete_video(client, video_file, unique):
    res = client.upload(video_file(f"{unique}.mp4"))
    assert client.delete_video(res["video_id"])["status"] == "deleted"
    assert all(v["video_id"] != res["video_id"] for v in client.my_videos())
    from nomadicml.exceptions import APIError
    with pytest.raises(APIError) as e:
        client.delete_video(res["video_id"])
    assert e.value.status_code == 404


def test_create_and_get_folder(client, unique):
    from nomadicml.exceptions import APIError
    made = client.create_folder(unique, description="Q1 campaign")
    assert made["name"] == unique and made["description"] == "Q1 campaign"
    with pytest.raises(APIError) as e:
        client.create_folder(unique)
    assert e.value.status_code == 409
    # The same name is free in the org scope.
    org = client.create_folder(unique, scope="org")
    assert org["id"] != made["id"]
    got = client.get_folder(unique)
    assert got["id"] == made["id"] and got["video_count"] == 0 and got["scope"] == "user"
    with pytest.raises(APIError) as e:
        client.get_folder(unique + "-missing")
    assert e.value.status_code == 404


def test_uploads_carry_protocol_headers(client, emulator, video_file, unique):
    client.upload(video_file(f"{unique}.mp4"))
    log = [r for r in emulator.requests_log() if r["path"] == "/api/upload-video"]
    last = log[-1]
    assert last["status"] == 200 and last["request_id"] and last["idempotency_key"] == last["request_id"]
    assert API_KEY not in json.dumps(emulator.requests_log())
