"""The create request's fields: one table, read from the spec the client was generated from.

Every front-end builds its view of POST /v3/lipsyncs from ``REQUEST_FIELDS``:

- the library's ``LipsyncRequest`` (which names it accepts, their types, their checks),
- the CLI's ``create`` flags and the columns of a batch manifest,
- the MCP ``create_lipsync`` arguments and the items of ``create_lipsync_batch``.

The table is read from the normalised spec that ``scripts/regenerate.py`` writes into the
generated package (``heygen_lipsync_api/openapi.json``) and checked against the generated
``CreateLipsyncRequest`` model, so a field HeyGen adds, removes or describes anew reaches
every front-end by regenerating, with nothing edited by hand.

What is deliberately ours, not the spec's, is listed once, in ``LOCAL_RULES`` below, each
with why:

========================  =================================================================
``video``, ``audio``      Sources. The API takes ``{type: url|asset_id, ...}``; users give a
                          URL, an asset id or a local file. The CLI takes one string
                          (``--video``), MCP flattens each into ``*_url`` / ``*_asset_id`` /
                          ``*_path`` (a model fills flat arguments far more reliably than a
                          tagged union), the library accepts strings, paths and sources.
``title``                 1-255 characters: HeyGen refuses longer titles; the spec says none.
``callback_url``          https only (plain http for loopback hosts): HeyGen calls it from
                          the internet, and a plain-http webhook leaks the payload.
``start_time``            0 or more, and before ``end_time``: the spec gives no bounds, and a
``end_time``              reversed segment fails only after the job was queued.
``fps_mode``              ``vfr``, ``cfr`` or ``passthrough``: the spec lists them only in
                          its prose, as an open string.
========================  =================================================================

The Idempotency-Key's pattern is the spec's too (its ``IdempotencyKey`` parameter).

A field the spec marks ``deprecated`` (``enable_caption``: HeyGen ignores it and always
makes captions) stays accepted; its help says so first, and setting it warns
(``DeprecatedFieldWarning``, through ``warn_if_deprecated``) rather than fails.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Literal

from heygen_lipsync.spec import load_normalised, resolve

__all__ = [
    "IDEMPOTENCY_KEY_PATTERN",
    "LOCAL_RULES",
    "MAX_TITLE_LENGTH",
    "REQUEST_MODEL",
    "SOURCE_FIELDS",
    "DeprecatedFieldWarning",
    "FieldKind",
    "LocalRule",
    "RequestField",
    "field_choices",
    "idempotency_key_pattern",
    "normalised_spec",
    "request_fields",
    "verify_generated_model",
    "warn_if_deprecated",
]

REQUEST_MODEL = "CreateLipsyncRequest"
SOURCE_FIELDS = ("video", "audio")
MAX_TITLE_LENGTH = 255

FieldKind = Literal["source", "bool", "str", "number", "integer", "json"]


@dataclass(frozen=True)
class LocalRule:
    """A check or shape of ours laid over a spec field (see the table in the module docstring)."""

    why: str
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    choices: tuple[str, ...] = ()
    https_only: bool = False
    flattened: bool = False


LOCAL_RULES: dict[str, LocalRule] = {
    "video": LocalRule("a URL, an asset id or a local file, flattened per front-end", flattened=True),
    "audio": LocalRule("a URL, an asset id or a local file, flattened per front-end", flattened=True),
    "title": LocalRule("HeyGen refuses longer titles; the spec sets no limit", min_length=1, max_length=255),
    "callback_url": LocalRule("HeyGen calls it from the internet: https only", https_only=True),
    "start_time": LocalRule("a segment starts at 0 or later, before end_time", minimum=0),
    "end_time": LocalRule("a segment ends after its start", minimum=0),
    "fps_mode": LocalRule("the spec lists the values only in prose", choices=("vfr", "cfr", "passthrough")),
}


@dataclass(frozen=True)
class RequestField:
    """One field of the create request, as the spec and our local rules describe it."""

    name: str
    kind: FieldKind
    description: str
    required: bool = False
    default: Any = None
    """HeyGen's default when the field is left out (None: the spec names none)."""
    choices: tuple[str, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    https_only: bool = False
    deprecated: bool = False
    """HeyGen still accepts the field but ignores it; its description says what to do instead."""
    rule: LocalRule | None = field(default=None, compare=False)

    @property
    def is_source(self) -> bool:
        """Whether this is a media source (video or audio) rather than a plain value."""
        return self.kind == "source"

    @property
    def option(self) -> str:
        """The CLI spelling: ``--start-time`` for ``start_time``."""
        return "--" + self.name.replace("_", "-")

    def help_text(self) -> str:
        """The spec's description, with the allowed values and the default said plainly."""
        text = self.description.strip().rstrip(".") if self.description else self.name.replace("_", " ")
        if self.deprecated:
            return text + "."  # what it did no longer matters, nor its default
        extras = []
        if self.choices and not all(f"'{choice}'" in text for choice in self.choices):
            extras.append("one of " + ", ".join(self.choices))
        if self.minimum is not None:
            extras.append(f"{self.minimum:g} or more")
        if self.max_length is not None:
            extras.append(f"at most {self.max_length} characters")
        if self.default is not None and not isinstance(self.default, bool):
            extras.append(f"HeyGen's default {self.default}")
        elif isinstance(self.default, bool):
            extras.append(f"HeyGen's default {'true' if self.default else 'false'}")
        return text + (f" ({'; '.join(extras)})" if extras else "") + "."


def normalised_spec() -> dict[str, Any]:
    """The normalised OpenAPI document shipped inside the generated package (``spec.load_normalised``).

    Raises:
        SpecError: the generated package has no readable ``openapi.json`` (regenerate it).
    """
    return load_normalised()


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    # A property may be a $ref with siblings (``mode``: the enum, plus its own default and
    # description): the siblings describe this use of the component and win over it.
    if not isinstance(node, dict) or "$ref" not in node:
        return node
    target = resolve(spec, node)
    siblings = {key: value for key, value in node.items() if key != "$ref"}
    return {**target, **siblings} if isinstance(target, dict) else node


_KINDS: dict[str, FieldKind] = {"boolean": "bool", "string": "str", "number": "number", "integer": "integer"}


def _kind_and_choices(spec: dict[str, Any], schema: dict[str, Any]) -> tuple[FieldKind, tuple[str, ...]]:
    if "oneOf" in schema or "discriminator" in schema:
        return "source", ()
    options = [_resolve(spec, option) for option in schema.get("anyOf", [schema])]
    options = [option for option in options if option.get("type") != "null"]
    if len(options) != 1:
        return "json", ()
    option = options[0]
    choices = tuple(str(value) for value in option.get("enum", ()))
    return _KINDS.get(str(option.get("type")), "json"), choices


def _from_schema(spec: dict[str, Any], name: str, raw: Any, required: bool) -> RequestField:
    schema = _resolve(spec, raw)
    kind, choices = _kind_and_choices(spec, schema)
    found = RequestField(
        name=name,
        kind=kind,
        description=str(schema.get("description") or ""),
        required=required,
        default=schema.get("default"),
        choices=choices,
        min_length=schema.get("minLength"),
        max_length=schema.get("maxLength"),
        minimum=schema.get("minimum"),
        maximum=schema.get("maximum"),
        deprecated=schema.get("deprecated") is True,
    )
    rule = LOCAL_RULES.get(name)
    if rule is None:
        return found
    return replace(
        found,
        choices=found.choices or rule.choices,
        min_length=rule.min_length if rule.min_length is not None else found.min_length,
        max_length=rule.max_length if rule.max_length is not None else found.max_length,
        minimum=rule.minimum if rule.minimum is not None else found.minimum,
        https_only=rule.https_only,
        rule=rule,
    )


def _generated_field_names() -> tuple[str, ...]:
    import attrs

    from heygen_lipsync_api import models  # the package the spec above was read from

    return tuple(a.name for a in attrs.fields(getattr(models, REQUEST_MODEL)))


@cache
def request_fields() -> tuple[RequestField, ...]:
    """Every field of the create request, in the spec's order (read from the normalised spec alone).

    ``verify_generated_model`` checks the table against the generated model; the library
    runs it before it builds a request (reading the models costs start-up time the CLI's
    ``--help`` and ``list`` should not pay).
    """
    spec = normalised_spec()
    schema = spec["components"]["schemas"][REQUEST_MODEL]
    required = set(schema.get("required", ()))
    return tuple(
        _from_schema(spec, name, raw, name in required) for name, raw in (schema.get("properties") or {}).items()
    )


@cache
def verify_generated_model() -> None:
    """Check that the spec's fields are the generated ``CreateLipsyncRequest``'s.

    Raises:
        RuntimeError: they differ (the generated client is stale: regenerate it).
    """
    generated = _generated_field_names()
    table = request_fields()
    if {f.name for f in table} != set(generated):
        raise RuntimeError(
            f"{REQUEST_MODEL}: the spec's fields {sorted(f.name for f in table)} differ from the generated "
            f"model's {sorted(generated)}; run scripts/regenerate.py"
        )


class DeprecatedFieldWarning(FutureWarning):
    """A request field HeyGen deprecated was set: it is sent, and HeyGen ignores it."""


_warned: set[str] = set()


def warn_if_deprecated(spec: RequestField, name: str | None = None) -> None:
    """Warn (``DeprecatedFieldWarning``, once per field and process) when ``spec`` is deprecated.

    Setting a deprecated field is never an error: it is sent, and HeyGen ignores it.
    """
    if spec.deprecated and spec.name not in _warned:
        _warned.add(spec.name)
        warnings.warn(f"{name or spec.name}: {spec.description}", DeprecatedFieldWarning, stacklevel=3)


def field_choices(name: str) -> tuple[str, ...]:
    """The allowed values of one field (``mode``, ``fps_mode``), from the table."""
    for f in request_fields():
        if f.name == name:
            return f.choices
    return ()


@cache
def idempotency_key_pattern() -> re.Pattern[str]:
    """The Idempotency-Key header's pattern, from the spec's ``IdempotencyKey`` parameter."""
    parameter = normalised_spec().get("components", {}).get("parameters", {}).get("IdempotencyKey", {})
    pattern = parameter.get("schema", {}).get("pattern") or r"^[A-Za-z0-9_\-:.]{1,255}$"
    return re.compile(pattern)


IDEMPOTENCY_KEY_PATTERN = idempotency_key_pattern()
