"""Analysis, batches, structured ODD, search and thumbnails, driven by the published client
against scripted rules: what comes back must be exactly what the rules say, normalised."""
import csv
import io
import math

import pytest
import requests
from nomadicml import AnalysisType, DEFAULT_STRUCTURED_ODD_COLUMNS

SIDEWALK_EVENTS = [
    {"t_start": 3, "t_end": 7, "category": "Parking", "label": "Van on sidewalk", "severity": "high",
     "ai_analysis": "A white van, \"double\" parked,\nblocking the walkway.", "approval": "approved",
     "confidence": 0.93, "box": [0.1, 0.2, 0.3, 0.4]},
    {"t_start": 65, "t_end": 3725, "category": "Parking", "label": "Truck on curb", "severity": "medium",
     "ai_analysis": "Box truck with two wheels on the curb.", "approval": "rejected", "confidence": 0.71},
    {"t_start": 12, "t_end": 15, "category": "Parking", "label": "Scooter", "ai_analysis": "Pending review."},
]


def clock(s):
    s = int(s)
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"{h:02d}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"


def normalised(e):
    """What the reference client makes of a scripted event (API.md §1.9)."""
    return {
        "t_start": clock(e["t_start"]), "t_end": clock(e["t_end"]), "category": e["category"],
        "label": e["label"], "severity": e.get("severity", "medium"), "aiAnalysis": e["ai_analysis"],
        "confidence": e.get("confidence", 0.85), "approval": e.get("approval", "pending"),
    }


def subset(event):
    return {k: event.get(k) for k in ("t_start", "t_end", "category", "label", "severity", "aiAnalysis", "confidence", "approval")}


@pytest.fixture
def sidewalk_rules(rules, unique):
    rules([
        {"match": {"video_name": f"{unique}*", "analysis_type": "ask", "query": "parked sidewalk"},
         "summary": "Three parking events.", "events": SIDEWALK_EVENTS},
        {"match": {"video_name": f"{unique}*", "analysis_type": "lane_change"},
         "events": [{"t_start": 4, "t_end": 9.5, "category": "Lane", "label": "lane change left"}]},
    ])


@pytest.fixture
def uploaded(client, video_file, unique):
    def make(n=1, folder=None, duration=120.0):
        return [client.upload(video_file(f"{unique}_{i}.mp4", duration=duration), folder=folder)["video_id"] for i in range(n)]
    return make


def test_ask_single_video(client, uploaded, sidewalk_rules):
    (vid,) = uploaded()
    res = client.analyze(vid, analysis_type=AnalysisType.ASK, custom_event="vehicles parked on sidewalk")
    assert res["video_id"] == vid and res["mode"] == "rapid_review" and res["status"] == "completed"
    assert res["summary"] == "Three parking events."
    assert [subset(e) for e in res["events"]] == [normalised(e) for e in SIDEWALK_EVENTS]
    assert all(not k.startswith("frame_") for e in res["events"] for k in e)


def test_ask_default_without_a_rule(client, uploaded):
    (vid,) = uploaded()
    res = client.analyze(vid, analysis_type=AnalysisType.ASK, custom_event="green crosswalk")
    assert [e["label"] for e in res["events"]] == ["green crosswalk"]
    assert res["events"][0]["t_start"] == "00:00" and res["events"][0]["t_end"] == "00:05"


def test_ask_overlay_modes(client, uploaded, rules, unique):
    rules([{"match": {"video_name": unique}, "events": [
        {"t_start": 1, "t_end": 2, "category": "Speed", "label": "fast",
         "overlay": {"timestamp": ["2024-09-01 08:00:01", "2024-09-01 08:00:02"], "speed": ["50", "72.5"]}}]}])
    (vid,) = uploaded()
    from nomadicml.video import OverlayMode
    plain = client.analyze(vid, analysis_type=AnalysisType.ASK, custom_event="speeding events")
    assert not plain["events"][0].get("overlay")
    custom = client.analyze(vid, analysis_type=AnalysisType.ASK, custom_event="speeding events", overlay_mode=OverlayMode.CUSTOM)
    overlay = custom["events"][0]["overlay"]
    assert overlay["frame_speed"] == {"start": 50.0, "end": 72.5}
    assert overlay["frame_timestamp"] == {"start": "2024-09-01 08:00:01", "end": "2024-09-01 08:00:02"}
    ts = client.analyze(vid, analysis_type=AnalysisType.ASK, custom_event="speeding events", overlay_mode=OverlayMode.TIMESTAMPS)
    assert set(ts["events"][0]["overlay"]) == {"frame_timestamp"}


def test_ask_with_thumbnails_and_visuals(client, uploaded, sidewalk_rules):
    (vid,) = uploaded()
    res = client.analyze(vid, analysis_type=AnalysisType.ASK, custom_event="parked on the sidewalk", is_thumbnail=True)
    urls = [e["annotated_thumbnail_url"] for e in res["events"]]
    assert len(urls) == 3 and len(set(urls)) == 3
    for url in urls:
        r = requests.get(url, timeout=10)
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
        assert r.content.startswith(b"\x89PNG\r\n\x1a\n")
    visuals = client.get_visuals(vid, res["analysis_id"])
    assert visuals == urls
    assert client.get_visual(vid, res["analysis_id"], 2) == urls[2]
    with pytest.raises(ValueError):
        client.get_visual(vid, res["analysis_id"], 3)


@pytest.mark.parametrize("agent,titles", [
    (AnalysisType.GENERAL_AGENT, ["general edge case"]),
    (AnalysisType.TURN, ["vehicle turns"]),
    (AnalysisType.RELATIVE_MOTION, ["relative motion"]),
    (AnalysisType.DRIVING_VIOLATIONS, ["speeding", "running red light", "failure to stop", "improper lane usage", "following too closely"]),
])
def test_agent_single_default_events(client, uploaded, agent, titles):
    (vid,) = uploaded()
    res = client.analyze(vid, analysis_type=agent)
    assert res["mode"] == "agent" and res["status"] == "completed" and res["analysis_id"]
    assert [e["label"] for e in res["events"]] == titles
    assert [e["start_time"] for e in res["events"]] == [2.0 * i for i in range(len(titles))]


def test_agent_single_scripted(client, uploaded, sidewalk_rules):
    (vid,) = uploaded()
    res = client.analyze(vid, analysis_type=AnalysisType.LANE_CHANGE, concept_ids=["c1"])
    assert res["events"] == [{"label": "lane change left", "start_time": 4.0, "end_time": 9.5}]
    started = client.analyze(vid, analysis_type=AnalysisType.LANE_CHANGE, wait_for_completion=False)
    assert started["status"] == "started" and started["analysis_id"]


def test_ask_batch_ids_and_results(client, uploaded, sidewalk_rules):
    vids = uploaded(3)
    res = client.analyze(vids, analysis_type=AnalysisType.ASK, custom_event="parked on sidewalk")
    meta = res["batch_metadata"]
    assert meta["batch_type"] == "ask" and meta["batch_id"]
    assert [r["video_id"] for r in res["results"]] == vids
    for r in res["results"]:
        assert r["status"] == "completed" and r["summary"] == "Three parking events."
        assert [subset(e) for e in r["events"]] == [normalised(e) for e in SIDEWALK_EVENTS]


def test_ask_batch_folder(client, uploaded, sidewalk_rules, unique):
    vids = uploaded(2, folder=unique)
    res = client.analyze(folder=unique, analysis_type=AnalysisType.ASK, custom_event="jaywalking near intersections")
    assert sorted(r["video_id"] for r in res["results"]) == sorted(vids)
    assert all(r["events"][0]["label"] == "jaywalking near intersections" for r in res["results"])


def test_agent_batch(client, uploaded, sidewalk_rules, unique):
    vids = uploaded(2, folder=unique)
    res = client.analyze(folder=unique, analysis_type=AnalysisType.LANE_CHANGE)
    assert res["batch_metadata"]["batch_type"] == "agent"
    for r in res["results"]:
        assert r["events"] == [{"label": "lane change left", "start_time": 4.0, "end_time": 9.5}]
    assert sorted(r["video_id"] for r in res["results"]) == sorted(vids)


def test_batch_not_waiting(client, uploaded):
    vids = uploaded(2)
    res = client.analyze(vids, analysis_type=AnalysisType.ASK, custom_event="x", wait_for_completion=False)
    assert [r["status"] for r in res["results"]] == ["started", "started"]


def test_get_batch_analysis_filters_and_csv(client, uploaded, sidewalk_rules, rules, unique):
    vids = uploaded(2)
    batch = client.analyze(vids, analysis_type=AnalysisType.ASK, custom_event="parked on sidewalk")
    bid = batch["batch_metadata"]["batch_id"]
    full = client.get_batch_analysis(bid)
    assert [r["video_id"] for r in full["results"]] == vids
    assert full["batch_metadata"]["prompt"] == "parked on sidewalk"
    assert all([subset(e) for e in r["events"]] == [normalised(e) for e in SIDEWALK_EVENTS] for r in full["results"])
    approved = client.get_batch_analysis(bid, filter="approved")
    assert [e["label"] for r in approved["results"] for e in r["events"]] == ["Van on sidewalk"] * 2
    two = client.get_batch_analysis(bid, filter=["pending", "rejected"])
    assert [e["label"] for e in two["results"][0]["events"]] == ["Truck on curb", "Scooter"]
    invalid = client.get_batch_analysis(bid, filter="invalid")
    assert invalid["results"] == []
    text = client.get_batch_analysis(bid, as_csv=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 6
    assert rows[0]["Label"] == "Van on sidewalk" and rows[0]["AI Analysis"] == SIDEWALK_EVENTS[0]["ai_analysis"]
    assert rows[1]["Timestamp"] == "01:05-01:02:05"
    assert {r["Video ID"] for r in rows} == set(vids) and {r["Batch ID"] for r in rows} == {bid}
    approved_csv = list(csv.DictReader(io.StringIO(client.get_batch_analysis(bid, filter="approved", as_csv=True))))
    assert [r["Approval Status"] for r in approved_csv] == ["approved", "approved"]


def test_add_batch_metadata_merges(client, uploaded, emulator):
    vids = uploaded(1)
    bid = client.analyze(vids, analysis_type=AnalysisType.ASK, custom_event="x")["batch_metadata"]["batch_id"]
    first = client.add_batch_metadata(bid, {"experiment_id": "exp-001", "version": 2, "model": "Nomadic-VL-XLarge"})
    assert first["success"] is True and first["metadata"]["version"] == 2
    second = client.add_batch_metadata(bid, {"version": 3, "status": "completed"})
    assert second["metadata"] == {"experiment_id": "exp-001", "version": 3, "model": "Nomadic-VL-XLarge", "status": "completed"}
    status = emulator.raw("GET", f"/api/batch/{bid}/status").json()
    assert status["metadata"] == second["metadata"]


def test_structured_odd_default_columns(client, uploaded):
    (vid,) = uploaded(duration=23.0)
    odd = client.generate_structured_odd(video_id=vid, columns=DEFAULT_STRUCTURED_ODD_COLUMNS)
    rows = list(csv.reader(io.StringIO(odd["csv"])))
    assert rows[0] == [c["name"] for c in DEFAULT_STRUCTURED_ODD_COLUMNS]
    assert len(rows) == 1 + math.ceil(23.0 / 5)
    assert all(len(r) == len(rows[0]) for r in rows)
    assert odd["share_url"] and "/dev/" in odd["reasoning_trace_path"]


def test_structured_odd_custom_columns(client, uploaded):
    (vid,) = uploaded(duration=4.0)
    columns = [
        {"name": "timestamp", "prompt": "Log the timestamp.", "type": "YYYY-MM-DDTHH:MM:SSZ"},
        {"name": "scenery.road.type", "prompt": "Road type.", "type": "categorical", "literals": ["motorway", "rural", "unknown"]},
    ]
    odd = client.generate_structured_odd(video_id=vid, columns=columns)
    assert odd["csv"].splitlines() == ["timestamp,scenery.road.type", "2024-01-01T00:00:00Z,unknown"]


def test_search_ranks_the_scripted_event_first(client, uploaded, rules, unique):
    rules([
        {"match": {"video_name": f"{unique}_1"}, "events": [
            {"t_start": 1, "t_end": 4, "category": "Overtake", "label": "Red pickup truck overtaking a cyclist",
             "ai_analysis": "A red pickup truck passes the cyclist on the left."}]},
        {"match": {"video_name": unique}, "events": [
            {"t_start": 1, "t_end": 2, "category": "Traffic", "label": "Red light", "ai_analysis": "Stopped at a red light."},
            {"t_start": 5, "t_end": 6, "category": "Traffic", "label": "Pedestrian crossing", "ai_analysis": "A pedestrian crosses."}]},
    ])
    vids = uploaded(3, folder=unique)
    analyses = {v: client.analyze(v, analysis_type=AnalysisType.ASK, custom_event="anything")["analysis_id"] for v in vids}
    res = client.search(query="red pickup truck overtaking", folder_name=unique)
    assert res["session_id"] and res["summary"] and res["thoughts"]
    top = res["matches"][0]
    assert (top["video_id"], top["analysis_id"], top["event_index"]) == (vids[1], analyses[vids[1]], 0)
    assert list(top) == ["video_id", "analysis_id", "event_index", "similarity", "reason"]
    sims = [m["similarity"] for m in res["matches"]]
    assert sims == sorted(sims, reverse=True) and 0 < sims[-1] < sims[0] < 1
    assert client.search(query="zebra giraffe", folder_name=unique)["matches"] == []
