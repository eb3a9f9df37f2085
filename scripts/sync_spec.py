#!/usr/bin/env python3
"""Sync openapi/heygen-lipsync.yaml from a new HeyGen spec, with a drift report.

    python scripts/sync_spec.py SOURCE              # report, write, regenerate, test
    python scripts/sync_spec.py SOURCE --dry-run    # report only; write nothing

SOURCE is a path or an http(s) URL of HeyGen's full external spec, JSON or YAML.

What is taken from SOURCE: every operation tagged Lipsync or Assets (and those of each
`--tag TAG`, e.g. `--tag Webhooks`), plus every operation the vendored spec already has
(matched by operationId, else by method and path), with every component they reach
($refs into components/schemas, parameters, responses, securitySchemes, followed
transitively).

How it is merged into the vendored spec (the rule, applied by `merge_specs`):

* What the source says wins. An operation present in both is the source's operation;
  a schema present in both is the source's schema, keyword by keyword (a type change,
  a new description, a dropped `minimum` all come through).
* What only our spec has is kept, because the vendored spec is often newer than the
  published one (the seed's Idempotency-Key, 409, `caption_url`, batches...). "Only
  ours" is judged at these levels: operations; an operation's parameters (by `in` and
  name; an inline parameter schema merges like a schema), responses (by status) and
  top-level keys; a response's headers (by name); a schema's properties (by name,
  recursively into inline objects and array items), with their `required` entries;
  enum values; components (by name). Each such item is reported as "kept, not in
  source". `--prune` drops them instead, making the
  source authoritative (use it when HeyGen really removed something).
* Components no longer reached by any operation are dropped (and reported).

The drift report compares the vendored spec with the result: operations added or
removed, parameters, request and response fields, `required`, types, nullability and
enum values; each change is marked BREAKING or not for this client's users. Then
the kept items follow, marked with what they would mean if HeyGen really dropped them.

Exit status: 0 nothing breaking was applied; 1 a breaking change was applied (the spec
is still written unless --dry-run: the client has to follow HeyGen's API, so the exit
status is for CI and for the maintainer to review, not a veto); 2 usage or input error
(nothing written); 3 regeneration or the test suite failed after writing.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime as dt
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
# This checkout's spec walker (see regenerate.py for why the path is inserted first).
sys.path.insert(0, str(ROOT / "mcp_server"))

import heygen_lipsync.spec as spec_walker  # noqa: E402
from heygen_lipsync.spec import METHODS, REQUEST, RESPONSE, component_refs, operations, resolve, wire_usage  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from published_drift import is_published_schemas, published_report  # noqa: E402

SPEC = ROOT / "openapi" / "heygen-lipsync.yaml"
README = ROOT / "openapi" / "README.md"
TARGET = ROOT / "generated_client" / "heygen_lipsync_api"

TAGS = ("Lipsync", "Assets")
COMPONENT_KINDS = ("schemas", "parameters", "responses", "securitySchemes", "requestBodies", "headers")

EXIT_OK, EXIT_BREAKING, EXIT_USAGE, EXIT_FOLLOW_UP = 0, 1, 2, 3

Spec = dict[str, Any]


class InputError(Exception):
    """The source or the vendored spec cannot be used; the message says why."""


@dataclasses.dataclass(frozen=True)
class Change:
    """One difference between two specs.

    `breaking` is judged for this client's users. `kept` marks an item only our spec
    has, which the merge keeps: `breaking` then says what it would mean if HeyGen
    really dropped it.
    """

    kind: str
    location: str
    detail: str
    breaking: bool
    kept: bool = False


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def load_source(source: str) -> Spec:
    """Read an OpenAPI document from a path or an http(s) URL (JSON or YAML).

    Raises:
        InputError: the source cannot be read, parsed, or is not an OpenAPI document.
    """
    if re.match(r"^https?://", source):
        text = _fetch(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"{source}: no such file")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{source}: cannot read it ({exc})") from exc
    return parse_spec(text, source)


def _published(source: str) -> dict[str, Any] | None:
    """HeyGen's published schemas (a local JSON file of ``operations``), or None for anything else."""
    path = Path(source)
    if re.match(r"^https?://", source) or path.suffix != ".json" or not path.is_file():
        return None
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if is_published_schemas(loaded) else None


def _fetch(url: str) -> str:
    import httpx  # a runtime dependency already; imported here to keep --help fast

    try:
        response = httpx.get(url, timeout=60, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise InputError(f"{url}: cannot fetch it ({exc})") from exc
    if response.status_code != 200:
        raise InputError(f"{url}: HTTP {response.status_code}")
    return response.text


def parse_spec(text: str, name: str) -> Spec:
    """Parse JSON or YAML text into an OpenAPI document.

    Raises:
        InputError: not JSON/YAML, or not an OpenAPI 3 document with paths.
    """
    try:
        loaded = json.loads(text)
    except ValueError:
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(f"{name}: neither JSON nor YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(loaded, dict) or "openapi" not in loaded:
        raise InputError(f"{name}: not an OpenAPI document (no top-level `openapi` key)")
    if not isinstance(loaded.get("paths"), dict):
        raise InputError(f"{name}: OpenAPI document without `paths`")
    return loaded


def dump_spec(spec: Spec) -> str:
    """The spec as the vendored file stores it: stable key order, unicode, long lines."""
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False)


# --------------------------------------------------------------------------
# Walking a spec
# --------------------------------------------------------------------------


def _security_refs(node: Iterable[Any] | None) -> set[tuple[str, str]]:
    return {("securitySchemes", name) for req in node or [] if isinstance(req, dict) for name in req}


def _op_key(method: str, path: str, op: dict[str, Any]) -> str:
    return op.get("operationId") or f"{method.upper()} {path}"


def _op_label(method: str, path: str, op: dict[str, Any]) -> str:
    label = f"{method.upper()} {path}"
    return f"{label} ({op['operationId']})" if op.get("operationId") else label


def reachable(spec: Spec, roots: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Every component reached from roots, transitively.

    Raises:
        InputError: a reference points at a component the spec does not define.
    """
    try:
        return spec_walker.reachable(spec, roots, strict=True)
    except spec_walker.SpecError as exc:
        raise InputError(str(exc)) from exc


def _op_roots(spec: Spec, path: str, op: dict[str, Any]) -> set[tuple[str, str]]:
    shared = (spec["paths"][path] or {}).get("parameters", [])
    security = op.get("security", spec.get("security"))
    return component_refs(op) | component_refs(shared) | _security_refs(security)


def _with_reached_components(spec: Spec, paths: dict[str, Any]) -> Spec:
    """A copy of spec's top level with `paths` and exactly the components they reach."""
    result = {k: copy.deepcopy(v) for k, v in spec.items() if k not in ("paths", "components")}
    result["paths"] = paths
    view = {**spec, "paths": paths}
    roots = _security_refs(spec.get("security"))
    for _, path, op in operations(view).values():
        roots |= _op_roots(view, path, op)
    needed = reachable(spec, roots)
    components: dict[str, Any] = {}
    for kind, entries in (spec.get("components") or {}).items():
        if not isinstance(entries, dict):
            continue
        kept = {name: copy.deepcopy(v) for name, v in entries.items() if (kind, name) in needed}
        if kept:
            components[kind] = kept
    if components:
        result["components"] = components
    return result


# --------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------


def extract_operations(source: Spec, ours: Spec | None = None, tags: Iterable[str] = TAGS) -> Spec:
    """The part of `source` this product covers, as a self-contained spec.

    Operations tagged with one of `tags`, plus those `ours` already has (same
    operationId, or same method and path), with every component they reach.

    Raises:
        InputError: no operation matched, or a reference dangles.
    """
    wanted_tags = set(tags)
    known_ids: set[str] = set()
    known_routes: set[tuple[str, str]] = set()
    for method, path, op in operations(ours or {}).values():
        known_routes.add((method, path))
        if op.get("operationId"):
            known_ids.add(op["operationId"])
    paths: dict[str, Any] = {}
    for method, path, op in operations(source).values():
        if not (
            set(op.get("tags") or []) & wanted_tags
            or op.get("operationId") in known_ids
            or (method, path) in known_routes
        ):
            continue
        item = paths.setdefault(path, {})
        if "parameters" in source["paths"][path] and "parameters" not in item:
            item["parameters"] = copy.deepcopy(source["paths"][path]["parameters"])
        item[method] = copy.deepcopy(op)
    if not paths:
        raise InputError(f"no operation tagged {' or '.join(sorted(wanted_tags))} and none the vendored spec has")
    # Keep the source's path and method order, so the output is stable.
    ordered = {p: {m: paths[p][m] for m in source["paths"][p] if m in paths[p]} for p in source["paths"] if p in paths}
    return _with_reached_components(source, ordered)


# --------------------------------------------------------------------------
# Merging
# --------------------------------------------------------------------------


def _ordered(ours: dict[str, Any], theirs: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """values, ordered: our keys in our order, then the source's new keys in its order."""
    order = [k for k in ours if k in values] + [k for k in theirs if k not in ours and k in values]
    order += [k for k in values if k not in order]
    return {k: values[k] for k in order}


def merge_schema(ours: Any, theirs: Any, prune: bool = False) -> Any:
    """The source's schema, keeping properties and enum values only ours has.

    Keywords are the source's (ours-only keywords are dropped: they would contradict a
    type change); `properties` merge by name, recursively; `required` keeps our entries
    for kept properties; `enum` keeps our values; `items` merge recursively.
    """
    if prune or not isinstance(ours, dict) or not isinstance(theirs, dict):
        return copy.deepcopy(theirs)
    values = {k: copy.deepcopy(v) for k, v in theirs.items()}
    ours_props, their_props = ours.get("properties"), theirs.get("properties")
    if isinstance(ours_props, dict) and isinstance(their_props, dict):
        merged = {name: merge_schema(ours_props.get(name), schema) for name, schema in their_props.items()}
        only_ours = [name for name in ours_props if name not in their_props]
        merged.update({name: copy.deepcopy(ours_props[name]) for name in only_ours})
        values["properties"] = _ordered(ours_props, their_props, merged)
        required = list(theirs.get("required", [])) + [n for n in ours.get("required", []) if n in only_ours]
        if required:
            values["required"] = required
    if isinstance(ours.get("enum"), list) and isinstance(theirs.get("enum"), list):
        values["enum"] = list(theirs["enum"]) + [v for v in ours["enum"] if v not in theirs["enum"]]
    if isinstance(ours.get("items"), dict) and isinstance(theirs.get("items"), dict):
        values["items"] = merge_schema(ours["items"], theirs["items"])
    return _ordered(ours, theirs, values)


def _param_identity(spec: Spec, param: Any) -> tuple[str, str]:
    resolved = resolve(spec, param)
    if isinstance(resolved, dict):
        return (str(resolved.get("in")), str(resolved.get("name")))
    return ("?", json.dumps(param, sort_keys=True))


def _merge_param(ours: Any, theirs: Any) -> Any:
    """The source's parameter; an inline schema merged with ours, so enum values only ours has are kept."""
    if not isinstance(ours, dict) or not isinstance(theirs, dict) or "$ref" in ours or "$ref" in theirs:
        return copy.deepcopy(theirs)
    values = copy.deepcopy(theirs)
    if isinstance(ours.get("schema"), dict) and isinstance(theirs.get("schema"), dict):
        values["schema"] = merge_schema(ours["schema"], theirs["schema"])
    return values


def _merge_response(ours: Any, theirs: Any, prune: bool) -> Any:
    if prune or not isinstance(ours, dict) or not isinstance(theirs, dict) or "$ref" in theirs or "$ref" in ours:
        return copy.deepcopy(theirs)
    values = copy.deepcopy(theirs)
    ours_content, their_content = ours.get("content"), theirs.get("content")
    if isinstance(ours_content, dict) and isinstance(their_content, dict):
        for media, body in their_content.items():
            if isinstance(body, dict) and isinstance(ours_content.get(media), dict) and "schema" in body:
                values["content"][media]["schema"] = merge_schema(ours_content[media].get("schema"), body["schema"])
    ours_headers = ours.get("headers")
    if isinstance(ours_headers, dict):
        their_headers = theirs.get("headers") or {}
        headers = {**copy.deepcopy(ours_headers), **copy.deepcopy(their_headers)}
        values["headers"] = _ordered(ours_headers, their_headers, headers)
    return _ordered(ours, theirs, values)


def _merge_operation(ours_spec: Spec, src: Spec, ours: dict[str, Any], theirs: dict[str, Any], prune: bool) -> dict:
    if prune:
        return copy.deepcopy(theirs)
    values = {k: copy.deepcopy(v) for k, v in ours.items()}
    values.update({k: copy.deepcopy(v) for k, v in theirs.items()})
    if "parameters" in ours or "parameters" in theirs:
        mine = {_param_identity(ours_spec, p): p for p in ours.get("parameters", [])}
        their = {_param_identity(src, p): p for p in theirs.get("parameters", [])}
        params = [_merge_param(p, their[key]) if key in their else copy.deepcopy(p) for key, p in mine.items()]
        params += [copy.deepcopy(p) for key, p in their.items() if key not in mine]
        values["parameters"] = params
    if isinstance(ours.get("responses"), dict) and isinstance(theirs.get("responses"), dict):
        mine_r, their_r = ours["responses"], theirs["responses"]
        merged = {s: _merge_response(mine_r.get(s), r, prune) for s, r in their_r.items()}
        merged.update({s: copy.deepcopy(r) for s, r in mine_r.items() if s not in their_r})
        values["responses"] = _ordered(mine_r, their_r, merged)
    if isinstance(ours.get("requestBody"), dict) and isinstance(theirs.get("requestBody"), dict):
        values["requestBody"] = _merge_response(ours["requestBody"], theirs["requestBody"], prune)
    return _ordered(ours, theirs, values)


def merge_specs(ours: Spec, source: Spec, prune: bool = False) -> Spec:
    """Merge the extracted source into our spec (the rule is in the module docstring).

    Raises:
        InputError: the merged spec references a component nobody defines.
    """
    ours_ops, their_ops = operations(ours), operations(source)
    # An operation the source moved to another path or method is the source's now.
    moved = {(m, p) for key, (m, p, _) in ours_ops.items() if key in their_ops and their_ops[key][:2] != (m, p)}
    paths: dict[str, Any] = {}
    for path, item in (ours.get("paths") or {}).items():
        paths[path] = {
            m: copy.deepcopy(op)
            for m, op in item.items()
            if not (m in METHODS and ((m, path) in moved or (prune and _op_key(m, path, op) not in their_ops)))
        }
    for key, (method, path, op) in their_ops.items():
        target = paths.setdefault(path, {})
        mine = ours_ops.get(key)
        if mine is not None and mine[:2] == (method, path):
            target[method] = _merge_operation(ours, source, mine[2], op, prune)
        else:
            target[method] = copy.deepcopy(op)
        if "parameters" in source["paths"][path]:
            target["parameters"] = copy.deepcopy(source["paths"][path]["parameters"])
    paths = {p: item for p, item in paths.items() if any(m in METHODS for m in item)}

    top = {k: copy.deepcopy(v) for k, v in ours.items() if k not in ("paths", "components") and not prune}
    top.update({k: copy.deepcopy(v) for k, v in source.items() if k not in ("paths", "components")})
    components: dict[str, Any] = {}
    ours_c, their_c = ours.get("components") or {}, source.get("components") or {}
    for kind in [*ours_c, *(k for k in their_c if k not in ours_c)]:
        mine, their = ours_c.get(kind) or {}, their_c.get(kind) or {}
        entries = {} if prune else {n: copy.deepcopy(v) for n, v in mine.items()}
        for name, value in their.items():
            entries[name] = merge_schema(mine.get(name), value, prune) if kind == "schemas" else copy.deepcopy(value)
        components[kind] = _ordered(mine, their, entries)
    merged = _ordered(ours, source, {**top, "paths": _ordered(ours.get("paths") or {}, source["paths"], paths)})
    merged["components"] = components
    return _ordered(ours, source, _with_reached_components(merged, merged["paths"]))


# --------------------------------------------------------------------------
# Drift
# --------------------------------------------------------------------------


def _reachable_lenient(spec: Spec, roots: set[tuple[str, str]]) -> set[tuple[str, str]]:
    return spec_walker.reachable(spec, roots)


def _types(schema: Any) -> set[str]:
    """What a schema accepts, coarsely: JSON types, `ref:Name`, or `any`."""
    if not isinstance(schema, dict):
        return {"any"}
    if isinstance(schema.get("$ref"), str):
        return {"ref:" + schema["$ref"].rsplit("/", 1)[-1]}
    found: set[str] = set()
    declared = schema.get("type")
    if isinstance(declared, str):
        found.add(declared)
    elif isinstance(declared, list):
        found |= {str(t) for t in declared}
    for key in ("anyOf", "oneOf"):
        for member in schema.get(key) or []:
            found |= _types(member)
    if schema.get("nullable") is True:
        found.add("null")
    if not found and "const" in schema:
        found.add({str: "string", bool: "boolean", int: "integer", float: "number"}.get(type(schema["const"]), "any"))
    if not found and "properties" in schema:
        found.add("object")
    return found or {"any"}


def _fmt(types: set[str]) -> str:
    return "|".join(sorted(types))


_REQUEST_RULES = {
    "field-added-required": True,
    "field-added": False,
    "field-removed": True,
    "field-made-required": True,
    "field-made-optional": False,
    "type-changed": True,
    "nullable-added": False,
    "nullable-removed": True,
    "enum-value-added": False,
    "enum-value-removed": True,
}
_RESPONSE_RULES = {
    "field-added-required": False,
    "field-added": False,
    "field-removed": True,
    "field-made-required": False,
    "field-made-optional": True,
    "type-changed": True,
    "nullable-added": True,
    "nullable-removed": False,
    "enum-value-added": True,  # unless the enum is opened by regenerate.py; see _SchemaDiff.enum
    "enum-value-removed": False,
}

_WHY = {
    ("field-removed", REQUEST): "callers passing it break",
    ("field-removed", RESPONSE): "code reading it breaks",
    ("field-added-required", REQUEST): "every call must now send it",
    ("field-made-required", REQUEST): "calls without it are refused",
    ("field-made-optional", RESPONSE): "it may now be missing",
    ("nullable-added", RESPONSE): "it may now be null",
    ("nullable-removed", REQUEST): "sending null is refused",
    ("enum-value-removed", REQUEST): "calls with that value are refused",
}


class _SchemaDiff:
    def __init__(self, changes: list[Change], old_spec: Spec, new_spec: Spec) -> None:
        self.changes = changes
        self.old_spec, self.new_spec = old_spec, new_spec

    def add(self, kind: str, location: str, detail: str, sides: set[str], breaking: bool | None = None) -> None:
        if breaking is None:
            breaking = any((_REQUEST_RULES if s == REQUEST else _RESPONSE_RULES)[kind] for s in sides)
        reasons = [_WHY[(kind, s)] for s in sorted(sides) if (kind, s) in _WHY and breaking]
        side = "/".join(sorted(sides)) or "unused"
        text = f"{detail} ({side})"
        if reasons:
            text += f": {'; '.join(reasons)}"
        self.changes.append(Change(kind, location, text, breaking))

    def compare(self, old: Any, new: Any, where: str, sides: set[str], named: str | None = None) -> None:
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        old_t, new_t = _types(old), _types(new)
        if old_t != new_t:
            if old_t - {"null"} == new_t - {"null"}:
                kind = "nullable-added" if "null" in new_t else "nullable-removed"
                self.add(kind, where, f"{_fmt(old_t)} -> {_fmt(new_t)}", sides)
            else:
                self.add("type-changed", where, f"{_fmt(old_t)} -> {_fmt(new_t)}", sides)
        if "$ref" in old or "$ref" in new:
            return  # named schemas are compared once, by name
        self.enum(old, new, where, sides, named)
        old_p, new_p = old.get("properties") or {}, new.get("properties") or {}
        old_r, new_r = set(old.get("required") or []), set(new.get("required") or [])
        for name in new_p:
            if name not in old_p:
                kind = "field-added-required" if name in new_r else "field-added"
                label = "required field added" if name in new_r else "optional field added"
                self.add(kind, f"{where}.{name}", f"{label}, {_fmt(_types(new_p[name]))}", sides)
        for name in old_p:
            if name not in new_p:
                self.add("field-removed", f"{where}.{name}", "field removed", sides)
                continue
            if name in new_r and name not in old_r:
                self.add("field-made-required", f"{where}.{name}", "now required", sides)
            elif name in old_r and name not in new_r:
                self.add("field-made-optional", f"{where}.{name}", "now optional", sides)
            self.compare(old_p[name], new_p[name], f"{where}.{name}", sides)
        if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
            self.compare(old["items"], new["items"], f"{where}[]", sides)

    def enum(self, old: dict[str, Any], new: dict[str, Any], where: str, sides: set[str], named: str | None) -> None:
        old_e, new_e = old.get("enum"), new.get("enum")
        if not isinstance(old_e, list) or not isinstance(new_e, list):
            return
        # regenerate.py turns named enums that no request reaches into plain strings,
        # so a value HeyGen adds to those cannot crash the client.
        opened = named is not None and sides == {RESPONSE}
        for value in new_e:
            if value not in old_e:
                if opened:
                    note = "not breaking: regenerate.py opens response enums, the client accepts unknown values"
                    self.add("enum-value-added", where, f"value {value!r} added; {note}", sides, breaking=False)
                elif RESPONSE in sides:
                    note = "the client's closed enum rejects it in responses"
                    self.add("enum-value-added", where, f"value {value!r} added: {note}", sides, breaking=True)
                else:
                    self.add("enum-value-added", where, f"value {value!r} added", sides)
        for value in old_e:
            if value not in new_e:
                self.add("enum-value-removed", where, f"value {value!r} removed", sides)


def _params(spec: Spec, path: str, op: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    shared = (spec["paths"][path] or {}).get("parameters", [])
    found = {}
    for param in [*shared, *op.get("parameters", [])]:
        resolved = resolve(spec, param)
        if isinstance(resolved, dict):
            found[_param_identity(spec, param)] = resolved
    return found


def _media(node: Any) -> dict[str, Any]:
    content = node.get("content") if isinstance(node, dict) else None
    return content if isinstance(content, dict) else {}


def diff_specs(old: Spec, new: Spec) -> list[Change]:
    """Every difference from `old` to `new` that matters to this client's users."""
    changes: list[Change] = []
    sd = _SchemaDiff(changes, old, new)
    old_ops, new_ops = operations(old), operations(new)
    for key, (m, p, op) in new_ops.items():
        if key not in old_ops:
            changes.append(Change("operation-added", _op_label(m, p, op), "new operation", False))
    for key, (m, p, op) in old_ops.items():
        if key not in new_ops:
            changes.append(
                Change("operation-removed", _op_label(m, p, op), "operation removed: its callers break", True)
            )
            continue
        nm, np_, nop = new_ops[key]
        label = _op_label(m, p, op)
        if (nm, np_) != (m, p):
            detail = f"moved from {m.upper()} {p} to {nm.upper()} {np_}"
            changes.append(Change("operation-moved", label, detail, True))
        _diff_operation(sd, label, (old, p, op), (new, np_, nop))
    old_s = (old.get("components") or {}).get("schemas") or {}
    new_s = (new.get("components") or {}).get("schemas") or {}
    usage_old, usage_new = wire_usage(old), wire_usage(new)
    for name in new_s:
        if name not in old_s:
            changes.append(Change("schema-added", f"schema {name}", "new schema (a new model in the client)", False))
    for name in old_s:
        if name not in new_s:
            detail = "schema removed: code importing its model breaks"
            changes.append(Change("schema-removed", f"schema {name}", detail, True))
            continue
        sides = usage_old.get(name, set()) | usage_new.get(name, set()) or {REQUEST, RESPONSE}
        sd.compare(old_s[name], new_s[name], name, sides, named=name)
        _note_other_edits(changes, old_s[name], new_s[name], name)
    for key, (m, p, op) in old_ops.items():
        if key in new_ops:
            _note_other_edits(changes, op, new_ops[key][2], _op_label(m, p, op))
    return changes


def _note_other_edits(changes: list[Change], old: Any, new: Any, location: str) -> None:
    """Say so when something changed that no finer change explains (descriptions, examples, limits)."""
    if old == new or any(
        c.location == location or c.location.startswith((location + ".", location + " ")) for c in changes
    ):
        return
    detail = "descriptions, examples or constraints changed; read the spec's diff"
    changes.append(Change("other-edits", location, detail, False))


def _diff_operation(sd: _SchemaDiff, label: str, old: tuple[Spec, str, dict], new: tuple[Spec, str, dict]) -> None:
    (old_spec, old_path, op), (new_spec, new_path, nop) = old, new
    changes = sd.changes
    old_params, new_params = _params(old_spec, old_path, op), _params(new_spec, new_path, nop)
    for ident, param in new_params.items():
        where = f"{label} {ident[0]} parameter {ident[1]}"
        if ident not in old_params:
            required = bool(param.get("required"))
            detail = "required parameter added: every call must now send it" if required else "optional parameter added"
            changes.append(Change("parameter-added", where, detail, required))
            continue
        was = bool(old_params[ident].get("required"))
        if param.get("required") and not was:
            changes.append(Change("parameter-made-required", where, "now required: calls without it are refused", True))
        elif was and not param.get("required"):
            changes.append(Change("parameter-made-optional", where, "now optional", False))
        sd.compare(old_params[ident].get("schema"), param.get("schema"), where, {REQUEST})
    for ident in old_params:
        if ident not in new_params:
            where = f"{label} {ident[0]} parameter {ident[1]}"
            changes.append(Change("parameter-removed", where, "parameter removed: callers passing it break", True))
    old_body, new_body = resolve(old_spec, op.get("requestBody")), resolve(new_spec, nop.get("requestBody"))
    if new_body and not old_body:
        required = bool(new_body.get("required"))
        changes.append(Change("request-body-added", f"{label} request body", "body added", required))
    elif old_body and not new_body:
        changes.append(Change("request-body-removed", f"{label} request body", "body removed", True))
    elif old_body and new_body:
        if new_body.get("required") and not old_body.get("required"):
            changes.append(Change("request-body-made-required", f"{label} request body", "now required", True))
        old_m, new_m = _media(old_body), _media(new_body)
        for media in old_m:
            if media not in new_m:
                changes.append(
                    Change("media-type-removed", f"{label} request body", f"{media} no longer accepted", True)
                )
        for media in new_m:
            if media not in old_m:
                changes.append(Change("media-type-added", f"{label} request body", f"{media} now accepted", False))
            else:
                sd.compare(old_m[media].get("schema"), new_m[media].get("schema"), f"{label} request", {REQUEST})
    old_r, new_r = op.get("responses") or {}, nop.get("responses") or {}
    for status in new_r:
        where = f"{label} response {status}"
        if status not in old_r:
            changes.append(Change("response-added", where, "new documented response", False))
            continue
        old_resp, new_resp = resolve(old_spec, old_r[status]), resolve(new_spec, new_r[status])
        old_h = (old_resp or {}).get("headers") or {}
        new_h = (new_resp or {}).get("headers") or {}
        for header in new_h:
            if header not in old_h:
                changes.append(Change("response-header-added", where, f"header {header} added", False))
        for header in old_h:
            if header not in new_h:
                changes.append(Change("response-header-removed", where, f"header {header} no longer documented", False))
        old_m, new_m = _media(old_resp), _media(new_resp)
        for media in new_m:
            if media in old_m:
                sd.compare(old_m[media].get("schema"), new_m[media].get("schema"), where, {RESPONSE})
    for status in old_r:
        if status not in new_r:
            where = f"{label} response {status}"
            detail = "response no longer documented (the library maps errors by status; not breaking)"
            changes.append(Change("response-removed", where, detail, False))


def drift(ours: Spec, extracted: Spec, prune: bool = False) -> tuple[Spec, list[Change]]:
    """Merge and report: the spec to write, the applied changes, then the kept items.

    Applied changes compare our spec with the merged one; kept items are what the
    source lacks but the merge keeps (differences to the source not applied).
    """
    merged = merge_specs(ours, extracted, prune=prune)
    applied = diff_specs(ours, merged)
    seen = {(c.kind, c.location) for c in applied}
    kept = [
        dataclasses.replace(c, kept=True)
        for c in diff_specs(ours, extracted)
        # A schema only we have is reached only from other kept items: listing it adds nothing.
        if (c.kind, c.location) not in seen and _is_removal(c.kind) and c.kind != "schema-removed"
    ]
    return merged, applied + kept


def _is_removal(kind: str) -> bool:
    return kind.endswith(("-removed", "-made-optional")) or kind == "operation-moved"


def render_report(changes: list[Change], old_name: str = "vendored spec", new_name: str = "source") -> str:
    """The drift report as text, applied changes first (breaking ones on top)."""
    applied = sorted((c for c in changes if not c.kept), key=lambda c: (not c.breaking, c.location, c.kind))
    kept = sorted((c for c in changes if c.kept), key=lambda c: (c.location, c.kind))
    lines = [f"Drift report: {old_name} -> {new_name}", ""]
    if applied:
        lines.append("Changes the source brings (applied to the spec):")
        lines += [
            f"  {'BREAKING' if c.breaking else 'ok      '}  {c.kind:<26} {c.location}: {c.detail}" for c in applied
        ]
    else:
        lines.append("Changes the source brings: none.")
    if kept:
        lines += ["", "Only in our spec (kept, not in source; `--prune` drops them):"]
        for c in kept:
            mark = "breaking if dropped" if c.breaking else "harmless if dropped"
            lines.append(f"  kept ({mark})  {c.kind:<26} {c.location}: {c.detail}")
    n_breaking = sum(1 for c in applied if c.breaking)
    lines += [
        "",
        f"Summary: {len(applied)} change(s) applied, {n_breaking} BREAKING; {len(kept)} item(s) kept, not in source.",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Provenance table
# --------------------------------------------------------------------------


def _fingerprint(spec: Spec, key: str) -> str | None:
    found = operations(spec).get(key)
    if found is None:
        return None
    method, path, op = found
    comps = spec.get("components") or {}
    reached = sorted(_reachable_lenient(spec, _op_roots(spec, path, op)))
    blob = [method, path, op, [(k, n, comps[k][n]) for k, n in reached]]
    return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()


def update_provenance(readme: str, ours: Spec, merged: Spec, extracted: Spec, label: str, date: str) -> str:
    """README text with the provenance row of every operation the sync changed.

    A changed row gets the source and the date; a new operation gets a new row; an
    operation the merge dropped loses its row. Other rows stay as they are.
    """
    lines = readme.split("\n")
    header = next((i for i, line in enumerate(lines) if re.match(r"^\|\s*operation\s*\|", line)), None)
    if header is None:
        return readme
    end = header + 2
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    rows: dict[str, list[str]] = {}
    for line in lines[header + 2 : end]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0]] = cells
    new_ops = operations(merged)
    for key, (method, path, _) in new_ops.items():
        if _fingerprint(ours, key) == _fingerprint(merged, key):
            continue
        source = f"HeyGen spec `{label}`, by scripts/sync_spec.py"
        if key not in operations(extracted):
            source = f"ours, not in the source; shared schemas from HeyGen spec `{label}`, by scripts/sync_spec.py"
        elif _fingerprint(extracted, key) != _fingerprint(merged, key):
            source += "; keeps our additions the source lacks"
        rows[key] = [key, f"{method.upper()} {path}", source, date]
    out = [f"| {' | '.join(cells)} |" for key, cells in rows.items() if key in new_ops or key not in operations(ours)]
    return "\n".join([*lines[: header + 2], *out, *lines[end:]])


# --------------------------------------------------------------------------
# After writing: regenerate and test
# --------------------------------------------------------------------------


def _snapshot(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def regenerate(spec: Path, target: Path) -> tuple[bool, list[str]]:
    """Run scripts/regenerate.py; whether it worked and which generated files changed."""
    before = _snapshot(target)
    cmd = [sys.executable, str(ROOT / "scripts" / "regenerate.py"), "--spec", str(spec), "--target", str(target)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    after = _snapshot(target)
    changed = sorted(f for f in before.keys() | after.keys() if before.get(f) != after.get(f))
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
    return proc.returncode == 0, changed


def run_tests() -> tuple[bool, list[str]]:
    """Run the test suite; whether it passed and the ids of failing tests."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=ROOT, capture_output=True, text=True, check=False)
    failing = [
        line.split(" ", 1)[1].split(" - ")[0]
        for line in proc.stdout.splitlines()
        if line.startswith(("FAILED ", "ERROR "))
    ]
    if proc.returncode != 0 and not failing:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
    return proc.returncode == 0, failing


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------


def _label(source: str) -> str:
    return source if re.match(r"^https?://", source) else Path(source).name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Sync openapi/heygen-lipsync.yaml from HeyGen's spec and report the drift.",
        epilog="Exit status: 0 nothing breaking; 1 breaking changes applied; 2 usage or input error; "
        "3 regeneration or tests failed.",
    )
    parser.add_argument(
        "source",
        help="path or http(s) URL of HeyGen's full spec (JSON or YAML), or a file of HeyGen's published schemas "
        "(a report of the drift only)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the drift report only; write nothing")
    parser.add_argument("--prune", action="store_true", help="drop what only our spec has (source authoritative)")
    parser.add_argument(
        "--tag",
        action="append",
        dest="tags",
        metavar="TAG",
        help=f"take the operations with this tag too (repeatable; always: {', '.join(TAGS)})",
    )
    parser.add_argument("--no-regenerate", action="store_true", help="do not run scripts/regenerate.py afterwards")
    parser.add_argument("--no-tests", action="store_true", help="do not run the test suite afterwards")
    parser.add_argument("--spec", type=Path, default=SPEC, help="vendored spec to update (default: %(default)s)")
    parser.add_argument("--readme", type=Path, default=README, help="README with the provenance table")
    parser.add_argument("--target", type=Path, default=TARGET, help="generated package regenerate.py writes")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own message; usage errors are 2
        return EXIT_OK if exc.code == 0 else EXIT_USAGE

    try:
        if not args.spec.is_file():
            raise InputError(f"{args.spec}: vendored spec not found (see --spec)")
        ours_text = args.spec.read_text(encoding="utf-8")
        ours = parse_spec(ours_text, str(args.spec))
        published = _published(args.source)
        if published is not None:  # HeyGen's published schemas: a report only, nothing to merge
            report, differences = published_report(ours, published, args.source)
            print(report)
            return EXIT_BREAKING if differences else EXIT_OK
        source = load_source(args.source)
        extracted = extract_operations(source, ours, (*TAGS, *(args.tags or ())))
        merged, changes = drift(ours, extracted, prune=args.prune)
    except InputError as exc:
        print(f"sync_spec: error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    print(render_report(changes, str(args.spec), args.source))
    breaking = any(c.breaking and not c.kept for c in changes)
    status = EXIT_BREAKING if breaking else EXIT_OK
    if args.dry_run:
        print("\nDry run: nothing written.")
        return status

    text = dump_spec(merged)
    if text == ours_text:
        print(f"\n{args.spec} unchanged.")
    else:
        args.spec.write_text(text, encoding="utf-8")
        print(f"\nWrote {args.spec}.")
    if args.readme.is_file():
        date = dt.datetime.now(dt.UTC).date().isoformat()
        old = args.readme.read_text(encoding="utf-8")
        new = update_provenance(old, ours, merged, extracted, _label(args.source), date)
        if new != old:
            args.readme.write_text(new, encoding="utf-8")
            print(f"Updated the provenance table in {args.readme}.")
    else:
        print(f"{args.readme} not found: provenance table not updated.", file=sys.stderr)

    todo: list[str] = []
    if not args.no_regenerate:
        ok, changed = regenerate(args.spec, args.target)
        if not ok:
            todo.append("regeneration FAILED (output above): fix it in normalise() in heygen_lipsync/spec.py")
            status = EXIT_FOLLOW_UP
        elif changed:
            todo.append(f"review {len(changed)} changed file(s) in {args.target}:")
            todo += [f"    {name}" for name in changed]
        else:
            todo.append(f"{args.target}: no generated file changed")
    if not args.no_tests and status != EXIT_FOLLOW_UP:
        ok, failing = run_tests()
        if not ok:
            status = EXIT_FOLLOW_UP
            todo.append(f"the test suite FAILS ({len(failing)} failing): adapt the library to the new API:")
            todo += [f"    {name}" for name in failing]
        else:
            todo.append("the test suite passes")
    if breaking:
        todo.append("BREAKING changes above: adapt the hand-written library and note them in the changelog")
    if any(c.kept for c in changes):
        todo.append("items kept, not in source: check HeyGen's docs; re-run with --prune if they were really removed")
    todo.append(f"commit {args.spec}, {args.readme} and {args.target} together")
    print("\nNext:")
    print("\n".join(f"  - {line}" if not line.startswith("    ") else line for line in todo))
    return status


if __name__ == "__main__":
    sys.exit(main())
