"""Inputs: where a video or audio comes from, and a validated create-lipsync request.

A source is an https URL, an asset id already uploaded to HeyGen, or a local file that
the client uploads first. Everything here is checked locally, before any request, and a
failure is a ``ValidationError`` that names the field.
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .config import is_loopback_host
from .errors import ValidationError
from .models import FPS_MODES, MODES

__all__ = [
    "AUDIO_MEDIA_TYPES",
    "IDEMPOTENCY_KEY_PATTERN",
    "MAX_BATCH_SIZE",
    "MAX_TITLE_LENGTH",
    "MEDIA_EXTENSIONS",
    "SUPPORTED_MEDIA_TYPES",
    "VIDEO_MEDIA_TYPES",
    "AssetSource",
    "FileSource",
    "LipsyncRequest",
    "MediaSource",
    "SourceLike",
    "UrlSource",
    "check_file",
    "parse_source",
    "sniff_media_type",
    "validate_idempotency_key",
    "validate_url",
]

MAX_TITLE_LENGTH = 255
MAX_BATCH_SIZE = 100
IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_\-:.]{1,255}$")
MEDIA_EXTENSIONS = frozenset(
    {".mp4", ".mov", ".m4v", ".webm", ".mkv", ".mp3", ".wav", ".m4a", ".aac", ".png", ".jpg", ".jpeg", ".pdf", ".srt"}
)
VIDEO_MEDIA_TYPES = frozenset({"video/mp4", "video/quicktime", "video/webm"})
AUDIO_MEDIA_TYPES = frozenset({"audio/mpeg", "audio/wav", "audio/mp4"})
SUPPORTED_MEDIA_TYPES = VIDEO_MEDIA_TYPES | AUDIO_MEDIA_TYPES | {"image/png", "image/jpeg", "application/pdf",
                                                                 "application/x-subrip"}  # fmt: skip
_SNIFF_BYTES = 512
_SRT_TIMING = re.compile(rb"^\s*\d+\s*\r?\n\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}")


@dataclass(frozen=True)
class UrlSource:
    """Media at an https URL (plain http only for loopback hosts) that HeyGen fetches itself."""

    url: str

    def to_api_dict(self) -> dict[str, Any]:
        """The API's ``{"type": "url", "url": ...}``."""
        return {"type": "url", "url": self.url}


@dataclass(frozen=True)
class AssetSource:
    """An asset already uploaded to HeyGen (see ``LipsyncClient.upload``)."""

    asset_id: str

    def to_api_dict(self) -> dict[str, Any]:
        """The API's ``{"type": "asset_id", "asset_id": ...}``."""
        return {"type": "asset_id", "asset_id": self.asset_id}


@dataclass(frozen=True)
class FileSource:
    """A local file; ``LipsyncClient.create`` uploads it and sends the resulting asset id."""

    path: Path


MediaSource = UrlSource | AssetSource | FileSource
# Anything LipsyncRequest accepts for video/audio: a source, or a string/path for parse_source.
SourceLike = MediaSource | str | os.PathLike[str]


def sniff_media_type(path: str | os.PathLike[str]) -> str | None:
    """The media type of a file judged from its first bytes (not its name), or None.

    Recognises mp4/m4a/mov (ISO base media), webm/mkv, mp3, wav, png, jpeg, pdf and srt.

    Raises:
        OSError: the file cannot be read.
    """
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    return sniff_bytes(head)


def sniff_bytes(head: bytes) -> str | None:
    """Like ``sniff_media_type`` for bytes already read (the first few hundred are enough)."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "video/quicktime"
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        return "video/mp4"
    if len(head) >= 8 and head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "video/quicktime"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0:
        return "audio/mpeg"  # MPEG audio frame sync (layer bits non-zero)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    text = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if _SRT_TIMING.match(text):
        return "application/x-subrip"
    return None


def validate_url(url: str, *, field: str) -> str:
    """Check a media or callback URL: https, or plain http for loopback hosts only.

    Raises:
        ValidationError: the URL is malformed or not https.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(field, f"not an http(s) URL: {url!r}")
    if scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValidationError(field, f"URL must use https (plain http only for localhost): {url!r}")
    if any(c.isspace() for c in url.strip()):
        raise ValidationError(field, f"URL contains whitespace: {url!r}")
    return url.strip()


def validate_idempotency_key(key: str, *, field: str = "idempotency_key") -> str:
    """Check a caller-supplied Idempotency-Key against the documented pattern.

    Raises:
        ValidationError: the key is empty, too long or has characters outside ``[A-Za-z0-9_:.-]``.
    """
    if not isinstance(key, str) or not IDEMPOTENCY_KEY_PATTERN.match(key):
        raise ValidationError(field, "must be 1-255 characters of letters, digits, '_', '-', ':' or '.'")
    return key


def check_file(path: Path, *, field: str) -> Path:
    """Check that a path names a regular, readable file (not its type).

    Raises:
        ValidationError: missing, a directory or other non-regular file, or unreadable.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ValidationError(field, f"file not found: {path}") from None
    except OSError as exc:
        raise ValidationError(field, f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte: no file can have this name
        raise ValidationError(field, f"not a valid file name (it contains a NUL byte): {str(path)!r}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ValidationError(field, f"not a regular file: {path}")
    if not os.access(path, os.R_OK):
        raise ValidationError(field, f"file is not readable: {path}")
    return path


def _looks_like_path(value: str) -> bool:
    return (
        "/" in value
        or "\\" in value
        or value.startswith((".", "~"))
        or os.path.splitext(value)[1].lower() in MEDIA_EXTENSIONS
    )


def parse_source(value: str | os.PathLike[str], *, field: str) -> MediaSource:
    """Turn a user's string into a source: an http(s) URL, a local file, or an asset id.

    A Path, or a string that names an existing file or looks like a path (contains ``/`` or
    ``\\``, starts with ``.`` or ``~``, or ends in a media extension), is a file; a string
    starting with ``http://`` or ``https://`` is a URL; anything else is an asset id.

    Raises:
        ValidationError: empty value, non-https URL (http only for loopback), other URL
            schemes, or a file that is missing, unreadable or not a regular file.
    """
    if isinstance(value, os.PathLike):
        return FileSource(check_file(Path(value).expanduser(), field=field))
    if not isinstance(value, str):
        raise ValidationError(field, f"expected a URL, asset id or file path, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise ValidationError(field, "must not be empty: give an https URL, an asset id or a file path")
    if any(ord(c) < 0x20 or c == "\x7f" for c in text):
        raise ValidationError(
            field, f"contains a control character; give an https URL, an asset id or a file path: {text!r}"
        )
    lowered = text.lower()
    if lowered.startswith(("http://", "https://")):
        return UrlSource(validate_url(text, field=field))
    if re.match(r"^[a-z][a-z0-9+.-]*://", lowered):
        raise ValidationError(field, f"unsupported URL scheme (use https): {text!r}")
    path = Path(text).expanduser()
    if path.exists() or _looks_like_path(text):
        return FileSource(check_file(path, field=field))
    if any(c.isspace() for c in text):
        raise ValidationError(field, f"not a URL, an existing file or an asset id: {text!r}")
    return AssetSource(text)


def _check_media_file(path: Path, *, field: str, allowed: frozenset[str], kind: str) -> str:
    check_file(path, field=field)
    try:
        mime = sniff_media_type(path)
    except OSError as exc:
        raise ValidationError(field, f"cannot read {path}: {exc.strerror or exc}") from None
    if mime is None:
        raise ValidationError(field, f"{path} is not a supported media file (its bytes are not {kind})")
    if mime not in allowed:
        raise ValidationError(field, f"{path} is {mime}, not {kind}")
    return mime


def _coerce_source(value: Any, *, field: str) -> MediaSource:
    if isinstance(value, UrlSource | AssetSource | FileSource):
        return value
    if isinstance(value, str | os.PathLike):
        return parse_source(value, field=field)
    if isinstance(value, Mapping):
        kind = value.get("type")
        extra = set(value) - {"type", "url", "asset_id"}
        if extra:
            raise ValidationError(field, f"unknown keys {sorted(extra)}")
        if kind == "url" and isinstance(value.get("url"), str):
            return UrlSource(validate_url(value["url"], field=f"{field}.url"))
        if kind == "asset_id" and isinstance(value.get("asset_id"), str) and value["asset_id"].strip():
            return AssetSource(value["asset_id"].strip())
        raise ValidationError(
            field, 'expected {"type": "url", "url": "https://..."} or {"type": "asset_id", "asset_id": "..."}'
        )
    raise ValidationError(field, f"expected a URL, asset id, file path or source object, got {type(value).__name__}")


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(field, f"must be a number of seconds, got {value!r}")
    if not math.isfinite(value):
        raise ValidationError(field, f"must be a finite number, got {value!r}")
    return float(value)


_BOOL_FIELDS = (
    "enable_caption",
    "keep_the_same_format",
    "enable_dynamic_duration",
    "disable_music_track",
    "enable_speech_enhancement",
    "enable_watermark",
)
_STR_FIELDS = ("title", "mode", "callback_url", "callback_id", "fps_mode", "folder_id")


@dataclass(frozen=True)
class LipsyncRequest:
    """Everything POST /v3/lipsyncs accepts. Fields left as None are not sent.

    ``video`` and ``audio`` may be given as sources or as strings (parsed with
    ``parse_source``); ``validate()`` checks the whole request locally.
    """

    video: MediaSource
    audio: MediaSource
    title: str | None = None
    mode: str | None = None
    callback_url: str | None = None
    callback_id: str | None = None
    enable_caption: bool | None = None
    keep_the_same_format: bool | None = None
    enable_dynamic_duration: bool | None = None
    disable_music_track: bool | None = None
    enable_speech_enhancement: bool | None = None
    enable_watermark: bool | None = None
    start_time: float | None = None
    end_time: float | None = None
    fps_mode: str | None = None
    folder_id: str | None = None

    if TYPE_CHECKING:
        # What the generated __init__ accepts at runtime: strings and paths for video/audio
        # are parsed with parse_source in __post_init__, so the fields always hold sources.
        def __init__(
            self,
            video: SourceLike,
            audio: SourceLike,
            title: str | None = None,
            mode: str | None = None,
            callback_url: str | None = None,
            callback_id: str | None = None,
            enable_caption: bool | None = None,
            keep_the_same_format: bool | None = None,
            enable_dynamic_duration: bool | None = None,
            disable_music_track: bool | None = None,
            enable_speech_enhancement: bool | None = None,
            enable_watermark: bool | None = None,
            start_time: float | None = None,
            end_time: float | None = None,
            fps_mode: str | None = None,
            folder_id: str | None = None,
        ) -> None: ...

    def __post_init__(self) -> None:
        # Accept strings and paths for convenience; store parsed sources.
        for name in ("video", "audio"):
            value = getattr(self, name)
            if not isinstance(value, UrlSource | AssetSource | FileSource):
                object.__setattr__(self, name, _coerce_source(value, field=name))

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The names of every field, in the API's spelling."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_dict(cls, body: Mapping[str, Any]) -> LipsyncRequest:
        """Build from the API's JSON shape; video/audio may also be plain strings.

        Raises:
            ValidationError: unknown keys, missing video/audio, or values of the wrong type.
        """
        if not isinstance(body, Mapping):
            raise ValidationError("request", f"expected an object, got {type(body).__name__}")
        known = set(cls.field_names())
        unknown = sorted(set(body) - known)
        if unknown:
            names = ", ".join(unknown)
            raise ValidationError(unknown[0], f"unknown field(s) {names}; known: {', '.join(sorted(known))}")
        for required in ("video", "audio"):
            if body.get(required) is None:
                raise ValidationError(required, "is required")
        kwargs: dict[str, Any] = {
            "video": _coerce_source(body["video"], field="video"),
            "audio": _coerce_source(body["audio"], field="audio"),
        }
        for name in _BOOL_FIELDS:
            value = body.get(name)
            if value is not None and not isinstance(value, bool):
                raise ValidationError(name, f"must be true or false, got {value!r}")
            kwargs[name] = value
        for name in _STR_FIELDS:
            value = body.get(name)
            if value is not None and not isinstance(value, str):
                raise ValidationError(name, f"must be a string, got {value!r}")
            kwargs[name] = value
        for name in ("start_time", "end_time"):
            value = body.get(name)
            kwargs[name] = None if value is None else _number(value, name)
        return cls(**kwargs)

    def validate(self) -> LipsyncRequest:
        """Check the request locally; returns self so calls can chain.

        Raises:
            ValidationError: naming the first bad field (URLs, files and their media type,
                mode, fps_mode, title, start_time/end_time, booleans).
        """
        self._validate_source(self.video, "video", VIDEO_MEDIA_TYPES, "a video (mp4, mov or webm)")
        self._validate_source(
            self.audio, "audio", AUDIO_MEDIA_TYPES | VIDEO_MEDIA_TYPES, "audio (mp3, wav, m4a) or a video with sound"
        )
        if self.title is not None:
            if not isinstance(self.title, str) or not self.title.strip():
                raise ValidationError("title", "must be a non-empty string")
            if len(self.title) > MAX_TITLE_LENGTH:
                raise ValidationError("title", f"must be at most {MAX_TITLE_LENGTH} characters, got {len(self.title)}")
        if self.mode is not None and self.mode not in MODES:
            raise ValidationError("mode", f"must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.fps_mode is not None and self.fps_mode not in FPS_MODES:
            raise ValidationError("fps_mode", f"must be one of {', '.join(FPS_MODES)}, got {self.fps_mode!r}")
        if self.callback_url is not None:
            validate_url(self.callback_url, field="callback_url")
        for name in ("callback_id", "folder_id"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ValidationError(name, f"must be a string, got {value!r}")
        for name in _BOOL_FIELDS:
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise ValidationError(name, f"must be true or false, got {value!r}")
        start = None if self.start_time is None else _number(self.start_time, "start_time")
        end = None if self.end_time is None else _number(self.end_time, "end_time")
        if start is not None and start < 0:
            raise ValidationError("start_time", f"must be 0 or more, got {start:g}")
        if end is not None and end < 0:
            raise ValidationError("end_time", f"must be 0 or more, got {end:g}")
        if start is not None and end is not None and start >= end:
            raise ValidationError("end_time", f"must be after start_time ({start:g}), got {end:g}")
        return self

    @staticmethod
    def _validate_source(source: MediaSource, field: str, allowed: frozenset[str], kind: str) -> None:
        if isinstance(source, UrlSource):
            validate_url(source.url, field=field)
        elif isinstance(source, AssetSource):
            if not source.asset_id.strip() or any(c.isspace() for c in source.asset_id):
                raise ValidationError(field, f"not a valid asset id: {source.asset_id!r}")
        else:
            _check_media_file(source.path, field=field, allowed=allowed, kind=kind)

    @property
    def file_sources(self) -> dict[str, FileSource]:
        """The fields whose source is a local file that must be uploaded first."""
        return {name: src for name in ("video", "audio") if isinstance(src := getattr(self, name), FileSource)}

    def with_sources(self, **sources: MediaSource) -> LipsyncRequest:
        """A copy with video and/or audio replaced (e.g. by the uploaded asset)."""
        import dataclasses

        return dataclasses.replace(self, **sources)  # type: ignore[arg-type]

    def to_api_dict(self) -> dict[str, Any]:
        """The API's JSON body (only fields that are set).

        Raises:
            ValidationError: video or audio is still a local file (upload it first).
        """
        out: dict[str, Any] = {}
        for name in ("video", "audio"):
            src = getattr(self, name)
            if isinstance(src, FileSource):
                raise ValidationError(name, f"local file {src.path} must be uploaded first (LipsyncClient.create does)")
            out[name] = src.to_api_dict()
        for f in fields(self):
            if f.name in ("video", "audio"):
                continue
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = value
        return out
