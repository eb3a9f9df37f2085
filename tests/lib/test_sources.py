"""Inputs are parsed and validated locally; every failure names its field."""

from __future__ import annotations

import errno
import os
import struct
from pathlib import Path

import pytest

from heygen_lipsync import (
    AssetSource,
    FileSource,
    LipsyncRequest,
    UrlSource,
    ValidationError,
    parse_source,
    sniff_media_type,
)
from heygen_lipsync.sources import open_checked

MP4 = struct.pack(">I", 24) + b"ftypisom" + b"\0" * 12 + b"moov"
SAMPLES = {
    "video/mp4": MP4,
    "video/quicktime": struct.pack(">I", 20) + b"ftypqt  " + b"\0" * 8,
    "video/webm": b"\x1a\x45\xdf\xa3" + b"\0" * 20,
    "audio/mpeg": b"ID3\x04\0\0\0\0\0\0" + b"\0" * 10,
    "audio/wav": b"RIFF\x24\0\0\0WAVEfmt " + b"\0" * 20,
    "image/png": b"\x89PNG\r\n\x1a\n" + b"\0" * 10,
    "image/jpeg": b"\xff\xd8\xff\xe0" + b"\0" * 10,
    "application/pdf": b"%PDF-1.7\n",
    "application/x-subrip": b"1\n00:00:01,000 --> 00:00:02,500\nHello\n",
}


@pytest.fixture
def media(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for i, (mime, data) in enumerate(SAMPLES.items()):
        path = tmp_path / f"sample{i}.bin"  # names say nothing: sniffing reads bytes
        path.write_bytes(data)
        out[mime] = path
    return out


def test_sniffing_reads_bytes_not_names(media: dict[str, Path], tmp_path: Path) -> None:
    for mime, path in media.items():
        assert sniff_media_type(path) == mime
    fake = tmp_path / "video.mp4"
    fake.write_text("not a video at all")
    assert sniff_media_type(fake) is None
    mp3_frames = tmp_path / "x"
    mp3_frames.write_bytes(b"\xff\xfb\x90\x00" + b"\0" * 10)
    assert sniff_media_type(mp3_frames) == "audio/mpeg"


def test_parse_source_kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_source("https://cdn.example.com/v.mp4", field="video") == UrlSource("https://cdn.example.com/v.mp4")
    assert parse_source("http://127.0.0.1:8765/v.mp4", field="video") == UrlSource("http://127.0.0.1:8765/v.mp4")
    assert parse_source("http://[::1]:80/a.wav", field="audio") == UrlSource("http://[::1]:80/a.wav")
    assert parse_source("http://localhost/a.wav", field="audio") == UrlSource("http://localhost/a.wav")
    assert parse_source("asset_abc123", field="video") == AssetSource("asset_abc123")
    f = tmp_path / "clip"
    f.write_bytes(MP4)
    assert parse_source(f, field="video") == FileSource(f)
    assert parse_source(str(f), field="video") == FileSource(f)
    monkeypatch.chdir(tmp_path)
    assert parse_source("clip", field="video") == FileSource(Path("clip"))  # existing file beats asset id


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("http://example.com/v.mp4", "https"),
        ("http://10.0.0.1/v.mp4", "https"),
        ("ftp://example.com/v.mp4", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("", "empty"),
        ("./missing.mp4", "not found"),
        ("missing.mp4", "not found"),
        ("~/definitely/not/here.wav", "not found"),
        ("two words", "asset id"),
        ("a\x00b.mp4", "control character"),
        ("asset\n123", "control character"),
    ],
)
def test_parse_source_rejects_with_field(value: str, needle: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_source(value, field="audio")
    assert info.value.field == "audio"
    assert needle in str(info.value)


def test_a_path_with_a_nul_byte_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="NUL byte") as info:
        parse_source(Path("a\x00b.mp4"), field="video")
    assert info.value.field == "video"


def test_directory_and_unreadable_file_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="not a regular file"):
        parse_source(tmp_path, field="video")
    locked = tmp_path / "locked.mp4"
    locked.write_bytes(MP4)
    # The permission error is simulated: root (CI) may read any file, whatever its mode. Parsing
    # looks at the file (stat, access); preparing a job opens it, once: both say "not readable".
    real_open, real_access = os.open, os.access

    def refusing_open(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: int) -> int:
        if Path(path) == locked.resolve():
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path) != locked and real_access(path, mode, **kw))
    with pytest.raises(ValidationError, match="not readable") as caught:
        parse_source(locked, field="video")
    assert caught.value.field == "video" and str(locked) in caught.value.message
    monkeypatch.setattr(os, "access", real_access)
    monkeypatch.setattr(os, "open", refusing_open)
    with pytest.raises(ValidationError, match="not readable") as caught:
        open_checked(locked, field="audio")
    assert caught.value.field == "audio"


def base(**kw: object) -> LipsyncRequest:
    return LipsyncRequest(video=UrlSource("https://a.example/v.mp4"), audio=AssetSource("asset_1"), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start_time": -1.0}, "start_time"),
        ({"end_time": -0.5}, "end_time"),
        ({"start_time": 5.0, "end_time": 5.0}, "end_time"),
        ({"start_time": 6.0, "end_time": 2.0}, "end_time"),
        ({"start_time": float("nan")}, "start_time"),
        ({"mode": "fast"}, "mode"),
        ({"fps_mode": "60fps"}, "fps_mode"),
        ({"title": ""}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"callback_url": "http://hooks.example.com/x"}, "callback_url"),
        ({"enable_caption": "yes"}, "enable_caption"),
    ],
)
def test_validate_names_the_bad_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        base(**kwargs).validate()
    assert info.value.field == field


def test_validate_sniffs_files_against_their_role(media: dict[str, Path], tmp_path: Path) -> None:
    ok = LipsyncRequest(video=FileSource(media["video/mp4"]), audio=FileSource(media["audio/wav"]))
    assert ok.validate() is ok
    with pytest.raises(ValidationError) as info:
        LipsyncRequest(video=FileSource(media["audio/mpeg"]), audio=AssetSource("a")).validate()
    assert info.value.field == "video" and "audio/mpeg" in str(info.value)
    with pytest.raises(ValidationError) as info:
        LipsyncRequest(video=FileSource(media["video/webm"]), audio=FileSource(media["application/pdf"])).validate()
    assert info.value.field == "audio"
    junk = tmp_path / "dub.mp3"
    junk.write_text("hello")
    with pytest.raises(ValidationError, match="not a supported media file") as info:
        LipsyncRequest(video=FileSource(media["video/mp4"]), audio=FileSource(junk)).validate()
    assert info.value.field == "audio"


def test_valid_request_round_trips_to_api_dict() -> None:
    req = base(title="Dub", mode="precision", start_time=0, end_time=12.5, fps_mode="cfr", enable_caption=True)
    assert req.validate().to_api_dict() == {
        "video": {"type": "url", "url": "https://a.example/v.mp4"},
        "audio": {"type": "asset_id", "asset_id": "asset_1"},
        "title": "Dub",
        "mode": "precision",
        "enable_caption": True,
        "start_time": 0,
        "end_time": 12.5,
        "fps_mode": "cfr",
    }
    assert base().to_api_dict().keys() == {"video", "audio"}  # unset fields are not sent


def test_from_dict_accepts_api_shape_and_strings() -> None:
    req = LipsyncRequest.from_dict(
        {
            "video": {"type": "url", "url": "https://a.example/v.mp4"},
            "audio": "asset_9",
            "mode": "speed",
            "start_time": 1,
            "enable_watermark": False,
        }
    )
    assert req.video == UrlSource("https://a.example/v.mp4")
    assert req.audio == AssetSource("asset_9")
    assert req.start_time == 1.0 and req.enable_watermark is False and req.title is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"video": "asset_1", "audio": "asset_2", "colour": "red"}, "colour"),
        ({"audio": "asset_2"}, "video"),
        ({"video": {"type": "s3", "key": "x"}, "audio": "a"}, "video"),
        ({"video": {"type": "url", "url": "http://evil.example/x"}, "audio": "a"}, "video.url"),
        ({"video": "a", "audio": "b", "start_time": "soon"}, "start_time"),
        ({"video": "a", "audio": "b", "enable_caption": 1}, "enable_caption"),
    ],
)
def test_from_dict_rejects_with_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        LipsyncRequest.from_dict(body)
    assert info.value.field == field


def test_strings_are_parsed_in_the_constructor() -> None:
    req = LipsyncRequest(video="https://a.example/v.mp4", audio="asset_1")  # type: ignore[arg-type]
    assert isinstance(req.video, UrlSource) and isinstance(req.audio, AssetSource)
