"""Inputs: where a video or audio comes from (a URL, an asset id or a local file), and what a file holds.

A source is an https URL, an asset id already uploaded to HeyGen, or a local file that
the client uploads first. Everything here is checked locally, before any request, and a
failure is a ``ValidationError`` that names the field.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from heygen_lipsync.config import is_loopback_host
from heygen_lipsync.errors import ValidationError
from heygen_lipsync.fields import IDEMPOTENCY_KEY_PATTERN, MAX_TITLE_LENGTH
from heygen_lipsync.media.opened import NotRegularFileError, OpenedInput, open_input
from heygen_lipsync.media.paths import expand_user

__all__ = [
    "AUDIO_MEDIA_TYPES",
    "IDEMPOTENCY_KEY_PATTERN",
    "MAX_BATCH_SIZE",
    "MAX_TITLE_LENGTH",
    "MEDIA_EXTENSIONS",
    "SNIFF_BYTES",
    "SUPPORTED_MEDIA_TYPES",
    "VIDEO_MEDIA_TYPES",
    "AssetSource",
    "FileSource",
    "MediaSource",
    "SourceLike",
    "UrlSource",
    "check_file",
    "check_media_file",
    "coerce_source",
    "open_checked",
    "parse_source",
    "sniff_media_type",
    "validate_idempotency_key",
    "validate_url",
]

MAX_BATCH_SIZE = 100
MEDIA_EXTENSIONS = frozenset(
    {".mp4", ".mov", ".m4v", ".webm", ".mkv", ".mp3", ".wav", ".m4a", ".aac", ".png", ".jpg", ".jpeg", ".pdf", ".srt"}
)
VIDEO_MEDIA_TYPES = frozenset({"video/mp4", "video/quicktime", "video/webm"})
AUDIO_MEDIA_TYPES = frozenset({"audio/mpeg", "audio/wav", "audio/mp4"})
SUPPORTED_MEDIA_TYPES = VIDEO_MEDIA_TYPES | AUDIO_MEDIA_TYPES | {"image/png", "image/jpeg", "application/pdf",
                                                                 "application/x-subrip"}  # fmt: skip
SNIFF_BYTES = 512
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
    """An asset already uploaded to HeyGen (see ``AsyncLipsyncClient.upload``)."""

    asset_id: str

    def to_api_dict(self) -> dict[str, Any]:
        """The API's ``{"type": "asset_id", "asset_id": ...}``."""
        return {"type": "asset_id", "asset_id": self.asset_id}


@dataclass(frozen=True)
class FileSource:
    """A local file; ``AsyncLipsyncClient.create`` uploads it and sends the resulting asset id."""

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
    if isinstance(path, OpenedInput) and path.is_open:
        return sniff_bytes(path.read_at(0, SNIFF_BYTES))
    opened = open_input(path)  # non-blocking, regular files only: a FIFO cannot hang the sniff
    try:
        return sniff_bytes(opened.read_at(0, SNIFF_BYTES))
    finally:
        opened.close()


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
    if not isinstance(key, str) or not IDEMPOTENCY_KEY_PATTERN.fullmatch(key):
        raise ValidationError(field, "must be 1-255 characters of letters, digits, '_', '-', ':' or '.'")
    return key


def check_file(path: Path, *, field: str) -> Path:
    """Check that a path names a regular, readable file (not its type), without opening it.

    Raises:
        ValidationError: missing, a directory or other non-regular file, or unreadable.
    """
    if isinstance(path, OpenedInput) and path.is_open:
        return path  # opened and checked already
    # Looked at, not opened: the create opens each file once (jobs.plan), and checks what it opened then.
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ValidationError(field, f"file not found: {path}") from None
    except PermissionError:
        raise ValidationError(field, f"file is not readable: {path}") from None
    except OSError as exc:
        raise ValidationError(field, f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte: no file can have this name
        raise ValidationError(field, f"not a valid file name (it contains a NUL byte): {str(path)!r}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ValidationError(field, f"not a regular file: {path}")
    if not os.access(path, os.R_OK):
        raise ValidationError(field, f"file is not readable: {path}")
    return path


def open_checked(path: Path, *, field: str) -> OpenedInput:
    """Open a file to upload (``opened.open_input``: no symlink swap, no blocking) and check it is a regular file.

    Raises:
        ValidationError: missing, a directory or other non-regular file, unreadable, or a
            name no file can have; the message names ``field``.
    """
    try:
        return open_input(path)
    except FileNotFoundError:
        raise ValidationError(field, f"file not found: {path}") from None
    except NotRegularFileError:
        raise ValidationError(field, f"not a regular file: {path}") from None
    except PermissionError:
        raise ValidationError(field, f"file is not readable: {path}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ValidationError(field, f"{path} was replaced by a symbolic link while being opened") from None
        raise ValidationError(field, f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte: no file can have this name
        raise ValidationError(field, f"not a valid file name (it contains a NUL byte): {str(path)!r}") from None


#: What an asset id may look like: letters, digits, ``_`` and ``-`` (HeyGen's are hex or ``asset_...``).
_ASSET_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


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
    starting with ``http://`` or ``https://`` is a URL; a word of letters, digits, ``_`` and
    ``-`` is an asset id; anything else is refused.

    Raises:
        ValidationError: empty value, non-https URL (http only for loopback), other URL
            schemes, or a file that is missing, unreadable or not a regular file.
    """
    if isinstance(value, os.PathLike):
        return FileSource(check_file(expand_user(value), field=field))
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
    path = expand_user(text)
    if path.exists() or _looks_like_path(text):
        return FileSource(check_file(path, field=field))
    if not _ASSET_ID.fullmatch(text):
        # Caught here, before the other source is uploaded: a mistyped file name ("clip.mp4x")
        # would otherwise cost that upload before HeyGen refuses the asset id.
        raise ValidationError(field, f"not a URL, an existing file or an asset id: {text!r}")
    return AssetSource(text)


def check_media_file(path: Path, *, field: str, allowed: frozenset[str], kind: str) -> str:
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


def coerce_source(value: Any, *, field: str) -> MediaSource:
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
