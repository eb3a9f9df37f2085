"""Request validation, following the vendored spec's schemas (additionalProperties false included)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from heygen_lipsync.sandbox.errors import ApiError, invalid

__all__ = [
    "IDEMPOTENCY_KEY",
    "check_object",
    "check_sha256",
    "parse_id_list",
    "parse_limit",
    "validate_create",
]

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_\-:.]{1,255}")
MODES = ("speed", "precision")
FPS_MODES = ("vfr", "cfr", "passthrough")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def check_object(body: Any, allowed: set[str], prefix: str = "") -> Mapping[str, Any]:
    """The body as a mapping with only `allowed` keys.

    Raises:
        ApiError: 400 naming the first unknown key, or when the body is not an object.
    """
    if not isinstance(body, dict):
        raise invalid(prefix.rstrip(".") or None, f"{prefix.rstrip('.') or 'the request body'} must be a JSON object.")
    for key in body:
        if key not in allowed:
            raise invalid(f"{prefix}{key}", f"'{prefix}{key}' is not a recognised field.")
    return body


def _is_number(value: Any) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float (JSON allows 10**400)
        return False


def _optional(kind: Callable[[Any], bool], what: str) -> Callable[[str, Any], None]:
    def check(name: str, value: Any) -> None:
        if value is not None and not kind(value):
            raise invalid(name, f"'{name}' must be {what} or null.")

    return check


def _required(kind: Callable[[Any], bool], what: str) -> Callable[[str, Any], None]:
    def check(name: str, value: Any) -> None:
        if not kind(value):
            raise invalid(name, f"'{name}' must be {what}.")

    return check


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


_SCALARS: dict[str, Callable[[str, Any], None]] = {
    "title": _optional(_is_str, "a string"),
    "callback_url": _optional(_is_str, "a string"),
    "callback_id": _optional(_is_str, "a string"),
    "enable_caption": _required(_is_bool, "a boolean"),
    "keep_the_same_format": _optional(_is_bool, "a boolean"),
    "enable_dynamic_duration": _required(_is_bool, "a boolean"),
    "disable_music_track": _required(_is_bool, "a boolean"),
    "enable_speech_enhancement": _required(_is_bool, "a boolean"),
    "enable_watermark": _required(_is_bool, "a boolean"),
    "start_time": _optional(_is_number, "a number"),
    "end_time": _optional(_is_number, "a number"),
    "fps_mode": _optional(_is_str, "a string"),
    "folder_id": _optional(_is_str, "a string"),
}
CREATE_FIELDS = {"video", "audio", "mode", *_SCALARS}


def _source(name: str, value: Any, asset_exists: Callable[[str], bool]) -> dict[str, str]:
    if not isinstance(value, dict):
        raise invalid(name, f"'{name}' must be {{type: 'url', url}} or {{type: 'asset_id', asset_id}}.")
    kind = value.get("type")
    if kind == "url":
        check_object(value, {"type", "url"}, f"{name}.")
        url = value.get("url")
        if not isinstance(url, str):
            raise invalid(f"{name}.url", f"'{name}.url' is required and must be a string.")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise invalid(f"{name}.url", f"'{name}.url' must be an http(s) URL.")
        return {"type": "url", "url": url}
    if kind == "asset_id":
        check_object(value, {"type", "asset_id"}, f"{name}.")
        asset_id = value.get("asset_id")
        if not isinstance(asset_id, str):
            raise invalid(f"{name}.asset_id", f"'{name}.asset_id' is required and must be a string.")
        if not asset_exists(asset_id):
            raise invalid(f"{name}.asset_id", f"Asset '{asset_id}' was not found or its upload is not complete.")
        return {"type": "asset_id", "asset_id": asset_id}
    raise invalid(f"{name}.type", f"'{name}.type' must be 'url' or 'asset_id'.")


def validate_create(
    body: Any,
    asset_exists: Callable[[str], bool],
    prefix: str = "",
    folder_usable: Callable[[str], bool] | None = None,
) -> dict[str, Any]:
    """A CreateLipsyncRequest body, checked and with defaults filled in.

    Raises:
        ApiError: 400 `invalid_parameter` naming the field (prefixed, e.g. `lipsyncs[2].video`);
            404 `not_found` when `folder_id` names no usable folder (omitted, null or "" is the root).
    """
    data = check_object(body, CREATE_FIELDS, prefix)
    for required in ("video", "audio"):
        if required not in data:
            raise invalid(f"{prefix}{required}", f"'{prefix}{required}' is required.")
    out: dict[str, Any] = {
        "video": _source(f"{prefix}video", data["video"], asset_exists),
        "audio": _source(f"{prefix}audio", data["audio"], asset_exists),
        "mode": "speed",
        "enable_caption": False,
        "enable_dynamic_duration": True,
        "disable_music_track": False,
        "enable_speech_enhancement": False,
        "enable_watermark": False,
    }
    if "mode" in data:
        if data["mode"] not in MODES:
            raise invalid(f"{prefix}mode", f"'{prefix}mode' must be one of: {', '.join(MODES)}.")
        out["mode"] = data["mode"]
    for name, check in _SCALARS.items():
        if name in data:
            check(prefix + name, data[name])
            out[name] = data[name]
    fps_mode = out.get("fps_mode")
    if fps_mode is not None and fps_mode not in FPS_MODES:
        raise invalid(f"{prefix}fps_mode", f"'{prefix}fps_mode' must be one of: {', '.join(FPS_MODES)}.")
    start, end = out.get("start_time"), out.get("end_time")
    for name, value in (("start_time", start), ("end_time", end)):
        if value is not None and value < 0:
            raise invalid(prefix + name, f"'{prefix}{name}' must be zero or more seconds.")
    if start is not None and end is not None and end <= start:
        raise invalid(f"{prefix}end_time", f"'{prefix}end_time' must be greater than '{prefix}start_time'.")
    folder = out.get("folder_id")
    if folder and folder_usable is not None and not folder_usable(folder):
        # HeyGen refuses an unknown, trashed, other-workspace or non-folder id with 404, before creating anything.
        raise ApiError(
            404,
            "not_found",
            f"Folder '{folder}' ({prefix}folder_id) not found: it must be a folder of this workspace, not in the "
            'trash. Omit folder_id (or send null or "") for the workspace root.',
        )
    return out


def parse_limit(raw: str | None, default: int) -> int:
    """The `limit` query parameter: an integer in 1..100.

    Raises:
        ApiError: 400 param `limit`.
    """
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid("limit", "'limit' must be an integer between 1 and 100.") from None
    if not 1 <= value <= 100:
        raise invalid("limit", "'limit' must be between 1 and 100.")
    return value


def parse_id_list(name: str, raw: str | None) -> list[str]:
    """A comma-separated id list of at most 100 ids (blank entries ignored, order kept, duplicates dropped).

    Raises:
        ApiError: 400 naming the parameter when it holds more than 100 ids.
    """
    if raw is None:
        return []
    ids = list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if len(ids) > 100:
        raise invalid(name, f"'{name}' accepts at most 100 ids.")
    return ids


def check_sha256(name: str, value: Any) -> str | None:
    """A hex SHA-256 (lower-cased) or None: HeyGen's API takes hex, as HeyGen's own upload code sends it.

    Raises:
        ApiError: 400 naming the field.
    """
    if value is None:
        return None
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise invalid(
            name,
            f"'{name}' must be the SHA-256 as 64 hexadecimal characters (hex, not base64: base64 is only "
            "the x-amz-checksum-sha256 header of upload_headers).",
        )
    return value.lower()
