"""A create-lipsync request, built and checked from the one field table (``fields.py``).

``LipsyncRequest`` accepts exactly the fields of the spec the client was generated from:
a field HeyGen adds is accepted, typed, checked and sent once the client is regenerated.
Every check here runs locally, before any request; a failure is a ``ValidationError``
that names the field.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from heygen_lipsync.errors import ValidationError
from heygen_lipsync.fields import RequestField, request_fields, verify_generated_model, warn_if_deprecated
from heygen_lipsync.sources import (
    AUDIO_MEDIA_TYPES,
    VIDEO_MEDIA_TYPES,
    AssetSource,
    FileSource,
    MediaSource,
    SourceLike,
    UrlSource,
    check_media_file,
    coerce_source,
    validate_url,
)

__all__ = ["LipsyncRequest", "check_field", "check_title", "field_table"]

_SOURCE_KINDS = {
    "video": (VIDEO_MEDIA_TYPES, "a video (mp4, mov or webm)"),
    "audio": (AUDIO_MEDIA_TYPES | VIDEO_MEDIA_TYPES, "audio (mp3, wav, m4a) or a video with sound"),
}


def field_table() -> dict[str, RequestField]:
    """The request's fields by name (video and audio included), checked against the generated model.

    Raises:
        RuntimeError: the generated client is stale (its model and the spec disagree).
    """
    verify_generated_model()
    return {f.name: f for f in request_fields()}


def _number(value: Any, spec: RequestField) -> float | int:
    what = "a whole number" if spec.kind == "integer" else "a number"
    if spec.name.endswith("_time"):
        what += " of seconds"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(spec.name, f"must be {what}, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(spec.name, f"must be a finite number, got {value!r}")
    if spec.kind == "integer" and not isinstance(value, int):
        if not float(value).is_integer():
            raise ValidationError(spec.name, f"must be {what}, got {value!r}")
        value = int(value)
    if spec.minimum is not None and value < spec.minimum:
        raise ValidationError(spec.name, f"must be {spec.minimum:g} or more, got {value:g}")
    if spec.maximum is not None and value > spec.maximum:
        raise ValidationError(spec.name, f"must be {spec.maximum:g} or less, got {value:g}")
    return value if spec.kind == "integer" else float(value)


def check_title(value: Any, field: str = "title") -> str:
    """A job title as HeyGen takes it: a non-empty string of at most 255 characters.

    Raises:
        ValidationError: empty, blank, not a string, or too long.
    """
    return str(check_field(field_table()["title"], value, field=field))


def check_field(spec: RequestField, value: Any, *, field: str | None = None) -> Any:
    """One plain (non-source) value checked against its field: type, allowed values, limits.

    Returns the value as it is sent (numbers as float, or int for integer fields).

    Raises:
        ValidationError: naming the field and what it takes.
    """
    name = field or spec.name
    warn_if_deprecated(spec, name)
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise ValidationError(name, f"must be true or false, got {value!r}")
        return value
    if spec.kind in ("number", "integer"):
        try:
            return _number(value, spec)
        except ValidationError as exc:
            raise ValidationError(name, exc.reason) from None
    if spec.kind != "str":
        return value  # a shape we do not know yet: HeyGen checks it
    if not isinstance(value, str):
        raise ValidationError(name, f"must be a string, got {value!r}")
    if spec.min_length and not value.strip():
        raise ValidationError(name, "must be a non-empty string")
    if spec.max_length is not None and len(value) > spec.max_length:
        raise ValidationError(name, f"must be at most {spec.max_length} characters, got {len(value)}")
    if spec.choices and value not in spec.choices:
        raise ValidationError(name, f"must be one of {', '.join(spec.choices)}, got {value!r}")
    if spec.https_only:
        return validate_url(value, field=name)
    return value


class LipsyncRequest:
    """Everything POST /v3/lipsyncs accepts. Fields left as None are not sent.

    ``video`` and ``audio`` may be given as sources or as strings/paths (parsed with
    ``parse_source``); the other fields are those of ``fields.request_fields()``, by their
    API names (``mode``, ``start_time``, ...), read back as attributes. ``validate()``
    checks the whole request locally.

    Raises:
        ValidationError: (from the constructor) a name the API does not define, or a
            video/audio that is not a source.
    """

    __slots__ = ("_values", "audio", "video")
    video: MediaSource
    audio: MediaSource
    _values: dict[str, Any]

    def __init__(self, video: SourceLike, audio: SourceLike, **values: Any) -> None:
        table = field_table()
        unknown = sorted(name for name in values if name not in table or table[name].is_source)
        if unknown:
            known = ", ".join(sorted(table))
            raise ValidationError(unknown[0], f"unknown field(s) {', '.join(unknown)}; known: {known}")
        object.__setattr__(self, "video", coerce_source(video, field="video"))
        object.__setattr__(self, "audio", coerce_source(audio, field="audio"))
        object.__setattr__(self, "_values", {name: value for name, value in values.items() if value is not None})

    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are not slots: the table's plain fields read as None when unset.
        if name.startswith("_") or name not in field_table():
            raise AttributeError(f"LipsyncRequest has no field {name!r}")
        return self._values.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("LipsyncRequest is immutable; use replace(...)")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LipsyncRequest):
            return NotImplemented
        return (self.video, self.audio, self._values) == (other.video, other.audio, other._values)

    def __hash__(self) -> int:
        return hash((self.video, self.audio, tuple(sorted(self._values.items(), key=lambda kv: kv[0]))))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={value!r}" for name, value in self.items())
        return f"LipsyncRequest({inner})"

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The names of every field, in the API's spelling and the spec's order."""
        return tuple(field_table())

    def items(self) -> Iterator[tuple[str, Any]]:
        """The fields that are set, video and audio first."""
        yield "video", self.video
        yield "audio", self.audio
        yield from self._values.items()

    @classmethod
    def from_dict(cls, body: Mapping[str, Any]) -> LipsyncRequest:
        """Build from the API's JSON shape; video/audio may also be plain strings.

        Raises:
            ValidationError: unknown keys, missing video/audio, or values of the wrong type.
        """
        if not isinstance(body, Mapping):
            raise ValidationError("request", f"expected an object, got {type(body).__name__}")
        table = field_table()
        unknown = sorted(set(body) - set(table))
        if unknown:
            names = ", ".join(unknown)
            raise ValidationError(unknown[0], f"unknown field(s) {names}; known: {', '.join(sorted(table))}")
        for spec in table.values():
            if spec.is_source and body.get(spec.name) is None:
                raise ValidationError(spec.name, "is required")
        values = {
            name: check_field(table[name], value)
            for name, value in body.items()
            if value is not None and not table[name].is_source
        }
        return cls(
            video=coerce_source(body["video"], field="video"),
            audio=coerce_source(body["audio"], field="audio"),
            **values,
        )

    def validate(self) -> LipsyncRequest:
        """Check the request locally; returns self so calls can chain.

        Raises:
            ValidationError: naming the first bad field (URLs, files and their media type,
                allowed values, limits, start_time/end_time, types).
        """
        for name, (allowed, kind) in _SOURCE_KINDS.items():
            _validate_source(getattr(self, name), name, allowed, kind)
        table = field_table()
        for name, value in self._values.items():
            check_field(table[name], value)
        start, end = self._values.get("start_time"), self._values.get("end_time")
        if start is not None and end is not None and start >= end:
            raise ValidationError("end_time", f"must be after start_time ({start:g}), got {end:g}")
        return self

    @property
    def file_sources(self) -> dict[str, FileSource]:
        """The fields whose source is a local file that must be uploaded first."""
        return {name: src for name in ("video", "audio") if isinstance(src := getattr(self, name), FileSource)}

    def replace(self, **changes: Any) -> LipsyncRequest:
        """A copy with some fields changed (None unsets a plain field).

        Raises:
            ValidationError: a name the API does not define.
        """
        values = {**self._values, **{k: v for k, v in changes.items() if k not in ("video", "audio")}}
        return LipsyncRequest(video=changes.get("video", self.video), audio=changes.get("audio", self.audio), **values)

    def with_sources(self, **sources: MediaSource) -> LipsyncRequest:
        """A copy with video and/or audio replaced (e.g. by the uploaded asset)."""
        return self.replace(**sources)

    def to_api_dict(self) -> dict[str, Any]:
        """The API's JSON body (only fields that are set).

        Raises:
            ValidationError: video or audio is still a local file (upload it first).
        """
        out: dict[str, Any] = {}
        for name in ("video", "audio"):
            src = getattr(self, name)
            if isinstance(src, FileSource):
                raise ValidationError(
                    name, f"local file {src.path} must be uploaded first (AsyncLipsyncClient.create does)"
                )
            out[name] = src.to_api_dict()
        out.update(self._values)
        return out


def _validate_source(source: MediaSource, field: str, allowed: frozenset[str], kind: str) -> None:
    if isinstance(source, UrlSource):
        validate_url(source.url, field=field)
    elif isinstance(source, AssetSource):
        if not source.asset_id.strip() or any(c.isspace() for c in source.asset_id):
            raise ValidationError(field, f"not a valid asset id: {source.asset_id!r}")
    else:
        check_media_file(source.path, field=field, allowed=allowed, kind=kind)
