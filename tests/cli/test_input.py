"""Reading command-line input: durations, request bodies, manifests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from heygen_lipsync.cli._errors import UsageProblem
from heygen_lipsync.cli._input import merge_body, parse_duration, read_manifest


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("20m", 1200), ("1h", 3600), ("1h30m", 5400), ("1.5m", 90)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5x", "0", "m", "1h30"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(UsageProblem, match="timeout"):
        parse_duration(text)


def test_flags_override_body_and_unset_flags_do_not() -> None:
    body = {"video": "a", "audio": "b", "title": "from body", "mode": "precision"}
    merged = merge_body(body, {"title": "from flag", "mode": None, "enable_caption": False})
    assert merged == {"video": "a", "audio": "b", "title": "from flag", "mode": "precision", "enable_caption": False}


def test_csv_manifest_converts_by_spec_type_and_resolves_relative_files(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"x")
    manifest = tmp_path / "jobs.csv"
    manifest.write_text(
        "video,audio,title,enable_caption,start_time\n"
        "clip.mp4,asset_1,First,true,1.5\n"
        "https://example.com/v.mp4,asset_2,,no,\n"
    )
    jobs, settings = read_manifest(str(manifest))
    assert settings == {}
    assert jobs[0] == {
        "video": str(tmp_path / "clip.mp4"),
        "audio": "asset_1",
        "title": "First",
        "enable_caption": True,
        "start_time": 1.5,
    }
    assert jobs[1] == {"video": "https://example.com/v.mp4", "audio": "asset_2", "enable_caption": False}


def test_json_manifest_in_the_api_shape_keeps_batch_settings(tmp_path: Path) -> None:
    manifest = tmp_path / "jobs.json"
    manifest.write_text(json.dumps({"title": "Ep 4", "lipsyncs": [{"video": "v1", "audio": "a1"}]}))
    assert read_manifest(str(manifest)) == ([{"video": "v1", "audio": "a1"}], {"title": "Ep 4"})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "no jobs"),
        (json.dumps([{"video": "v", "audio": "a"}] * 101), "at most 100"),
        ("{not json", "not valid JSON"),
        ('{"jobs": []}', "'lipsyncs' list"),
    ],
)
def test_bad_json_manifests(tmp_path: Path, content: str, message: str) -> None:
    manifest = tmp_path / "jobs.json"
    manifest.write_text(content)
    with pytest.raises(UsageProblem, match=message):
        read_manifest(str(manifest))


def test_csv_manifest_with_a_bad_boolean_names_the_line(tmp_path: Path) -> None:
    manifest = tmp_path / "jobs.csv"
    manifest.write_text("video,audio,enable_caption\nv,a,maybe\n")
    with pytest.raises(UsageProblem, match="line 2"):
        read_manifest(str(manifest))
