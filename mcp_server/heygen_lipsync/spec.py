"""The OpenAPI spec as this project reads it: walking it, its references, and the fixes of its defects.

One module walks the spec for everyone: `scripts/regenerate.py` (which normalises the
vendored YAML before generating the client), `scripts/sync_spec.py` (which follows
references to extract and compare HeyGen's operations) and the CLI's `--request-schema` /
`--response-schema` (which print a schema with its references inlined). Each defect of
the upstream spec is therefore fixed once, here, by one named function in
`NORMALISATIONS`; `normalise()` applies them in order.

The normalised document ships inside the generated package as
`heygen_lipsync_api/openapi.json` (written by `scripts/regenerate.py`, checked by
`--check`); `load_normalised()` reads it. Everything the project runs on the spec at
runtime or in its tests (the CLI, the request field table, schemathesis) reads that
normalised form, never the raw YAML, so no tool meets a defect twice.

Standard library only, and importing it loads nothing: the scripts import it before the
generated client exists, and the CLI imports it at start-up.
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
import importlib.util
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "DEPRECATED_FIELDS",
    "METHODS",
    "NORMALISATIONS",
    "NORMALISED_SPEC",
    "REQUEST",
    "RESPONSE",
    "SCHEMA_PREFIX",
    "Spec",
    "SpecError",
    "component_refs",
    "drop_null_defaults",
    "fix_discriminator_mapping_refs",
    "hoist_data_envelopes",
    "hoist_error_envelopes",
    "inline",
    "load_normalised",
    "mark_deprecated_fields",
    "normalise",
    "open_response_enums",
    "operations",
    "reachable",
    "resolve",
    "walk",
    "wire_usage",
]

Spec = dict[str, Any]

SCHEMA_PREFIX = "#/components/schemas/"
NORMALISED_SPEC = "openapi.json"
GENERATED_PACKAGE = "heygen_lipsync_api"
ERROR_ENVELOPE = "ErrorEnvelope"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REQUEST, RESPONSE = "request", "response"


class SpecError(Exception):
    """The spec is missing, or lacks or cannot resolve what was asked for; the message says which."""


# --------------------------------------------------------------------------
# Walking and references
# --------------------------------------------------------------------------


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Yield every mapping in a JSON-like tree, parents before children."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def _parse_ref(ref: object) -> tuple[str, str] | None:
    """`#/components/<kind>/<name>` -> (kind, name); None for anything else."""
    if not isinstance(ref, str):
        return None
    parts = ref.split("/")
    if len(parts) == 4 and parts[:2] == ["#", "components"]:
        return parts[2], parts[3]
    return None


def component_refs(node: Any) -> set[tuple[str, str]]:
    """(kind, name) of every `#/components/...` reference under node.

    Discriminator mappings count too: their values are references written as strings
    (or, in the seed's defect, as `{$ref: ...}` objects, which the walk finds anyway).
    """
    found: set[str] = set()
    for item in walk(node):
        if isinstance(item.get("$ref"), str):
            found.add(item["$ref"])
        mapping = item.get("mapping") if isinstance(item.get("propertyName"), str) else None
        if isinstance(mapping, dict):
            found |= {value for value in mapping.values() if isinstance(value, str)}
    return {parsed for parsed in map(_parse_ref, found) if parsed is not None}


def reachable(spec: Spec, roots: Iterable[tuple[str, str]], strict: bool = False) -> set[tuple[str, str]]:
    """Every component reached from roots, transitively (roots included when they exist).

    Raises:
        SpecError: with `strict`, a reference points at a component the spec does not define
            (otherwise such references are skipped).
    """
    components = spec.get("components") or {}
    seen: set[tuple[str, str]] = set()
    todo = sorted(roots)
    while todo:
        kind, name = todo.pop()
        if (kind, name) in seen:
            continue
        target = (components.get(kind) or {}).get(name)
        if target is None:
            if strict:
                raise SpecError(f"dangling reference #/components/{kind}/{name}: the spec does not define it")
            continue
        seen.add((kind, name))
        todo.extend(sorted(component_refs(target) - seen))
    return seen


def resolve(spec: Spec, node: Any) -> Any:
    """Follow a chain of `$ref`s to the component it names; node itself if it is no reference.

    A reference that cannot be followed (outside components, dangling, circular) is
    returned as it is, so callers comparing specs see it rather than fail on it.
    """
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        seen.add(node["$ref"])
        parsed = _parse_ref(node["$ref"])
        target = None if parsed is None else ((spec.get("components") or {}).get(parsed[0]) or {}).get(parsed[1])
        if target is None:
            return node
        node = target
    return node


def operations(spec: Spec) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Operations by key (operationId, else `METHOD path`): key -> (method, path, operation)."""
    ops: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method, op in item.items():
            if method in METHODS and isinstance(op, dict):
                ops[op.get("operationId") or f"{method.upper()} {path}"] = (method, path, op)
    return ops


def wire_usage(spec: Spec) -> dict[str, set[str]]:
    """Schema name -> the sides of the wire it can appear on ("request", "response").

    Request side: request bodies and parameters (the operation's, its path's, and the
    shared `components.parameters`); response side: responses.
    """
    request_roots = component_refs((spec.get("components") or {}).get("parameters"))
    response_roots: set[tuple[str, str]] = set()
    for _, path, op in operations(spec).values():
        shared = (spec["paths"][path] or {}).get("parameters")
        request_roots |= component_refs(op.get("requestBody")) | component_refs(op.get("parameters"))
        request_roots |= component_refs(shared)
        response_roots |= component_refs(op.get("responses"))
    usage: dict[str, set[str]] = {}
    for side, roots in ((REQUEST, request_roots), (RESPONSE, response_roots)):
        for kind, name in reachable(spec, roots):
            if kind == "schemas":
                usage.setdefault(name, set()).add(side)
    return usage


def inline(spec: Spec, node: Any) -> Any:
    """A copy of node with every schema `$ref` replaced by its target, so it stands on its own.

    Keywords written beside a `$ref` (description, default) describe that use and win over
    the target's. Once inlined, a discriminator mapping points nowhere, so each of its
    values becomes the target schema's name (which the inlined subschema's `title` carries).

    Raises:
        SpecError: a `$ref` is not `#/components/schemas/<name>`, names no schema, or a
            schema refers to itself (it cannot be inlined).
    """
    schemas = (spec.get("components") or {}).get("schemas") or {}
    return _inline(copy.deepcopy(node), schemas, ())


def _schema_name(ref: object) -> str:
    if not isinstance(ref, str) or not ref.startswith(SCHEMA_PREFIX):
        raise SpecError(f"cannot resolve $ref {ref!r}: only {SCHEMA_PREFIX}<name> is supported")
    return ref.removeprefix(SCHEMA_PREFIX)


def _inline(node: Any, schemas: dict[str, Any], seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline(item, schemas, seen) for item in node]
    if not isinstance(node, dict):
        return node
    discriminator = node.get("discriminator")
    if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
        discriminator["mapping"] = {
            key: _schema_name(_mapping_target(value)) for key, value in discriminator["mapping"].items()
        }
    if "$ref" in node:
        target = _schema_name(node["$ref"])
        if target in seen:
            raise SpecError(f"schema {target!r} refers to itself; it cannot be inlined")
        if target not in schemas:
            raise SpecError(f"cannot resolve $ref {node['$ref']!r}: the spec defines no schema {target!r}")
        body = _inline(copy.deepcopy(schemas[target]), schemas, (*seen, target))
        siblings = {key: _inline(value, schemas, seen) for key, value in node.items() if key != "$ref"}
        return {**body, **siblings}
    return {key: _inline(value, schemas, seen) for key, value in node.items()}


def _mapping_target(value: Any) -> Any:
    """A discriminator mapping value as the reference string it stands for (the seed's defect tolerated)."""
    if isinstance(value, dict) and isinstance(value.get("$ref"), str):
        return value["$ref"]
    if isinstance(value, str) and not value.startswith("#"):
        return SCHEMA_PREFIX + value  # OpenAPI allows a bare schema name
    return value


# --------------------------------------------------------------------------
# Normalisation: each function answers one defect of the upstream spec.
# --------------------------------------------------------------------------


def fix_discriminator_mapping_refs(spec: Spec) -> Spec:
    """Upstream defect: discriminator `mapping` values written as `{$ref: ...}`.

    OpenAPI requires each mapping value to be a plain string (a schema name or a
    reference). HeyGen's create-lipsync schema writes `{$ref: '#/...'}` objects,
    which openapi-python-client rejects outright and on which schemathesis crashes
    (`unhashable type: 'dict'`). Replace each object by the reference string it holds.
    """
    for node in walk(spec):
        discriminator = node.get("discriminator")
        mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
        if not isinstance(mapping, dict):
            continue
        for key, value in list(mapping.items()):
            if isinstance(value, dict) and isinstance(value.get("$ref"), str):
                mapping[key] = value["$ref"]
    return spec


def _is_inline_error_envelope(schema: Any) -> bool:
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    props = schema.get("properties")
    return (
        schema.get("type") == "object"
        and isinstance(props, dict)
        and list(props) == ["error"]
        and props["error"] == {"$ref": SCHEMA_PREFIX + "StandardAPIError"}
    )


def _responses(spec: Spec) -> Iterator[dict[str, Any]]:
    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "responses" in operation:
                yield from operation["responses"].values()
    yield from spec.get("components", {}).get("responses", {}).values()


def hoist_error_envelopes(spec: Spec) -> Spec:
    """Upstream defect: the `{error: StandardAPIError}` envelope is written inline.

    Every operation repeats the same inline object for every error status, so the
    generator emits one identical model per operation and status
    (`GetLipsyncV3Response404`, `GetLipsyncV3Response429`, ...). Point all of them at
    one shared `ErrorEnvelope` component instead.
    """
    hoisted = False
    for response in _responses(spec):
        for media in response.get("content", {}).values():
            if _is_inline_error_envelope(media.get("schema")):
                media["schema"] = {"$ref": SCHEMA_PREFIX + ERROR_ENVELOPE}
                hoisted = True
    if hoisted:
        spec["components"]["schemas"][ERROR_ENVELOPE] = {
            "type": "object",
            "title": ERROR_ENVELOPE,
            "description": "The body of every non-2xx response.",
            "properties": {"error": {"$ref": SCHEMA_PREFIX + "StandardAPIError"}},
            "required": ["error"],
        }
    return spec


def hoist_data_envelopes(spec: Spec) -> Spec:
    """Upstream defect: the `{data: X}` success envelope is written inline.

    Like the error envelope, each operation wraps its result in an anonymous
    object, so two operations returning the same `X` get two identical models
    named after the operation. Give each wrapped schema one `XEnvelope` model.
    """
    schemas = spec["components"]["schemas"]
    for response in _responses(spec):
        for media in response.get("content", {}).values():
            schema = media.get("schema")
            if not isinstance(schema, dict) or schema.get("type") != "object":
                continue
            props = schema.get("properties")
            if not isinstance(props, dict) or list(props) != ["data"]:
                continue
            ref = props["data"].get("$ref") if isinstance(props["data"], dict) else None
            if not isinstance(ref, str) or not ref.startswith(SCHEMA_PREFIX):
                continue
            name = ref.removeprefix(SCHEMA_PREFIX) + "Envelope"
            schemas.setdefault(
                name,
                {"type": "object", "title": name, "properties": {"data": {"$ref": ref}}, "required": ["data"]},
            )
            media["schema"] = {"$ref": SCHEMA_PREFIX + name}
    return spec


def open_response_enums(spec: Spec) -> Spec:
    """Upstream defect: response-only enums are closed.

    `status` fields are declared as enums. The generated parser raises ValueError
    on any value outside the enum, so the first status HeyGen adds would crash
    every client reading a job. Enums reached only from responses become plain
    strings (known values listed in the description); enums a request can carry
    stay closed, so bad input is still refused before it is sent.
    """
    usage = wire_usage(spec)
    for name, schema in spec["components"]["schemas"].items():
        if REQUEST in usage.get(name, ()) or not isinstance(schema, dict) or "enum" not in schema:
            continue
        known = ", ".join(str(v) for v in schema.pop("enum"))
        note = f"Known values: {known}; others may appear."
        schema["description"] = f"{schema.get('description', '')} {note}".strip()
    return spec


def drop_null_defaults(spec: Spec) -> Spec:
    """Upstream quirk: optional fields carry `default: null` next to `anyOf [T, null]`.

    openapi-python-client then initialises such attributes to `None` rather than
    `UNSET`, and `to_dict()` sends `"title": null` for every field the caller did
    not set. HeyGen's create endpoint treats explicit nulls and absent fields
    alike today, but an unset field must not be sent: drop the null default so
    unset stays unset.
    """
    for schema in spec["components"]["schemas"].values():
        for prop in (schema.get("properties") or {}).values():
            if isinstance(prop, dict) and "default" in prop and prop["default"] is None:
                del prop["default"]
    return spec


# Fields HeyGen deprecated after its newest published spec (HeyGen's CLI and docs, 2026):
# still accepted, ignored upstream. (schema, field) -> what to tell users instead.
DEPRECATED_FIELDS = {
    ("CreateLipsyncRequest", "enable_caption"): "Deprecated and ignored by HeyGen: captions are always "
    "generated (every completed job has a caption_url); whether to download them is your choice.",
}


def mark_deprecated_fields(spec: Spec) -> Spec:
    """Upstream lag: fields HeyGen deprecated are not yet marked so in its published spec.

    Each field of `DEPRECATED_FIELDS` gets `deprecated: true` and a description saying what
    to do instead, so `--request-schema`, the CLI's help, the MCP tools' schemas and the
    library (which warns when one is set) all say so; the field stays accepted.
    """
    schemas = spec.get("components", {}).get("schemas", {})
    for (schema, name), why in DEPRECATED_FIELDS.items():
        prop = (schemas.get(schema, {}).get("properties") or {}).get(name)
        if isinstance(prop, dict):
            prop["deprecated"] = True
            prop["description"] = why
    return spec


NORMALISATIONS: list[Callable[[Spec], Spec]] = [
    fix_discriminator_mapping_refs,
    hoist_error_envelopes,
    hoist_data_envelopes,
    open_response_enums,
    drop_null_defaults,
    mark_deprecated_fields,
]


def normalise(spec: Spec) -> Spec:
    """Apply every normalisation, in order, to a copy of `spec` (the input is left untouched)."""
    result = copy.deepcopy(spec)
    for fix in NORMALISATIONS:
        result = fix(result)
    return result


@functools.cache
def load_normalised() -> Spec:
    """The normalised spec the generated client was built from (`heygen_lipsync_api/openapi.json`).

    Read once per process, on first use. Callers must not modify what it returns
    (copy it first, or use `inline`, which copies).

    Raises:
        SpecError: the generated package or its `openapi.json` is missing or unreadable.
    """
    try:
        # Found without importing the package: its __init__ loads the generated client and
        # httpx, which `--help`, the field table and the MCP server's start-up do not need.
        found = importlib.util.find_spec(GENERATED_PACKAGE)
        folders = list(found.submodule_search_locations or ()) if found is not None else []
        on_disk = [Path(folder) / NORMALISED_SPEC for folder in folders if (Path(folder) / NORMALISED_SPEC).is_file()]
        if on_disk:
            text = on_disk[0].read_text(encoding="utf-8")
        else:  # a zipped install: through the package's resources
            text = importlib.resources.files(GENERATED_PACKAGE).joinpath(NORMALISED_SPEC).read_text(encoding="utf-8")
        loaded = json.loads(text)
    except (ModuleNotFoundError, OSError, ValueError) as exc:
        raise SpecError(
            f"cannot read {GENERATED_PACKAGE}/{NORMALISED_SPEC} ({exc}); reinstall heygen-lipsync, "
            "or run `python scripts/regenerate.py` in a checkout"
        ) from exc
    if not isinstance(loaded, dict):
        raise SpecError(f"{GENERATED_PACKAGE}/{NORMALISED_SPEC} is not an OpenAPI document")
    return loaded
