"""Drift of the vendored spec against HeyGen's published request/response schemas (not a full OpenAPI document).

HeyGen's CLI carries, per operation, its method, path, query parameters and request and
response schemas, generated from HeyGen's spec; that file (``{"operations": {...}}``) is the
newest evidence of real shapes. ``sync_spec.py FILE`` reports against it when given one:
each published operation our spec covers (same method and path) is compared field by field,
nested objects and array items included:

- a query parameter or a request or response field HeyGen publishes that our spec lacks;
- a field whose type in our spec refuses the type HeyGen publishes;
- a published operation our spec does not cover (listed, not a difference: we follow only
  the Lipsync, Assets, Users, Folders and Webhooks operations the product uses).

Fields only our spec has are not differences: HeyGen's generator drops some, and our spec
follows HeyGen's documentation beyond it.
"""

from __future__ import annotations

from typing import Any

from heygen_lipsync.spec import resolve

__all__ = ["is_published_schemas", "published_report"]

Spec = dict[str, Any]
_METHODS = ("get", "put", "post", "delete", "patch")


def is_published_schemas(loaded: Any) -> bool:
    """Whether a loaded document is HeyGen's published schemas (``operations`` by name, no ``openapi`` key)."""
    return isinstance(loaded, dict) and "openapi" not in loaded and isinstance(loaded.get("operations"), dict)


def _resolve(spec: Spec, node: Any, depth: int = 0) -> Any:
    """``node`` with its ``$ref`` followed (``heygen_lipsync.spec.resolve``) and ``allOf`` merged."""
    node = resolve(spec, node)
    if not isinstance(node, dict) or "allOf" not in node or depth > 20:
        return node
    merged: dict[str, Any] = {"type": "object", "properties": {}}
    for part in node["allOf"]:
        resolved = _resolve(spec, part, depth + 1)
        if isinstance(resolved, dict):
            merged["properties"].update(resolved.get("properties") or {})
    return merged


def _types(spec: Spec, node: Any) -> set[str]:
    """The JSON types a schema accepts (``any`` when it says none)."""
    node = _resolve(spec, node)
    if not isinstance(node, dict):
        return {"any"}
    found: set[str] = set()
    for key in ("anyOf", "oneOf"):
        for branch in node.get(key) or ():
            found |= _types(spec, branch)
    declared = node.get("type")
    if isinstance(declared, str):
        found.add(declared)
    elif isinstance(declared, list):
        found |= {t for t in declared if isinstance(t, str)}
    if node.get("nullable"):
        found.add("null")
    if not found and "properties" in node:
        found.add("object")
    return found or {"any"}


def _accepts(ours: set[str], theirs: set[str]) -> bool:
    if "any" in ours:
        return True
    if "number" in ours:
        ours = ours | {"integer"}
    return (theirs - {"null", "any"}) <= ours


def _compare(spec: Spec, ours: Any, theirs: Any, where: str, out: list[str], depth: int = 0) -> None:
    """Every field of ``theirs`` (published) present in ``ours`` with a type that accepts it; nested too."""
    if not isinstance(theirs, dict) or depth > 12:
        return
    ours = _resolve(spec, ours)
    if not isinstance(ours, dict):
        return
    for branch in ("anyOf", "oneOf"):  # our nullable object written as a union: compare with its object branch
        for option in ours.get(branch) or ():
            resolved = _resolve(spec, option)
            if isinstance(resolved, dict) and ("properties" in resolved or "items" in resolved):
                ours = resolved
                break
    their_types, our_types = _types(spec, theirs), _types(spec, ours)
    if not _accepts(our_types, their_types):
        out.append(f"{where}: HeyGen publishes {sorted(their_types)}, ours accepts {sorted(our_types)}")
        return
    if "items" in theirs:
        _compare(spec, ours.get("items"), theirs["items"], f"{where}[]", out, depth + 1)
    our_props = ours.get("properties") or {}
    for name, schema in (theirs.get("properties") or {}).items():
        if name not in our_props:
            if not (ours.get("additionalProperties") and not our_props):  # an open map takes any key
                out.append(f"{where}.{name}: published by HeyGen, missing in ours")
            continue
        _compare(spec, our_props[name], schema, f"{where}.{name}", out, depth + 1)


def _operation(spec: Spec, method: str, path: str) -> dict[str, Any] | None:
    item = (spec.get("paths") or {}).get(path)
    op = item.get(method.lower()) if isinstance(item, dict) else None
    return op if isinstance(op, dict) else None


def _success_schema(op: dict[str, Any]) -> Any:
    for status, response in sorted((op.get("responses") or {}).items()):
        if str(status).startswith("2") and isinstance(response, dict):
            return ((response.get("content") or {}).get("application/json") or {}).get("schema")
    return None


def published_report(ours: Spec, published: dict[str, Any], name: str) -> tuple[str, int]:
    """The drift report (text) of ``ours`` against the published schemas, and how many differences it lists."""
    lines = [f"Drift of the vendored spec against {name} (HeyGen's published schemas):", ""]
    differences = 0
    not_covered: list[str] = []
    compared = 0
    for label, entry in sorted(published["operations"].items()):
        method, path = str(entry.get("method", "")).lower(), str(entry.get("path", ""))
        op = _operation(ours, method, path)
        if op is None:
            not_covered.append(f"  {label}: {method.upper()} {path}")
            continue
        compared += 1
        found: list[str] = []
        params = {
            p.get("name")
            for p in (_resolve(ours, p) for p in (op.get("parameters") or ()))
            if isinstance(p, dict) and p.get("in") == "query"
        }
        found += [
            f"query parameter {q}: published by HeyGen, missing in ours"
            for q in entry.get("query") or ()
            if q not in params
        ]
        if entry.get("request_schema"):
            body = ((op.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
            _compare(ours, body.get("schema"), entry["request_schema"], "request", found)
        if entry.get("response_schema"):
            _compare(ours, _success_schema(op), entry["response_schema"], "response", found)
        status = "matches" if not found else f"{len(found)} difference(s)"
        lines.append(f"{label} ({method.upper()} {path}): {status}")
        lines += [f"  - {line}" for line in found]
        differences += len(found)
    if not_covered:
        lines += ["", "Published operations this spec does not cover (not followed by this product):", *not_covered]
    lines += ["", f"Summary: {compared} operation(s) compared, {differences} difference(s)."]
    return "\n".join(lines), differences
