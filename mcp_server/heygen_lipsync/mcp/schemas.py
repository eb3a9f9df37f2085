"""Tool schemas without what pydantic adds for people reading Python: fewer bytes, the same meaning.

A client sends ``tools/list`` to the model in every conversation, so every byte there is paid
for again and again (``scripts/bench/tools_list.py`` measures it; the budget is 25 KB).
pydantic's JSON schemas carry a ``title`` for every model and field ("Lipsync Id"), spell an
optional value as ``anyOf: [{...}, {type: null}]`` and repeat ``default: null`` for it. None of
that changes what validates; the argument names and their descriptions say the rest.
``compact_tool`` rewrites a tool's schemas:

- input: string ``title`` keywords are dropped (a property *named* title is kept: its value is
  a schema); ``anyOf: [{type: T, ...}, {type: null}]`` becomes ``{type: [T, "null"], ...}``
  (``null`` joins an ``enum``) when the first branch is a plain typed schema (never a
  ``$ref``); ``default: null`` is dropped (an argument not in ``required`` may be left out
  anyway); so is ``minLength: 1`` beside a pattern that refuses "" (ids). The same arguments
  validate exactly as before.
- output: each top-level field with its JSON type, nothing nested
  (a job inside a result is ``object``). The result itself carries every field's value and a
  ``next_step`` sentence, and the tool's description says what it returns; a nested model's
  fields and docs, once per tool, were two fifths of the list. The server still checks every
  result against the full model (``fn_metadata.output_model``), so what is sent is what the
  model promises, and the published schema accepts every such result.
"""

from __future__ import annotations

import re
from typing import Any

from mcp.server.mcpserver.tools import Tool

__all__ = ["compact_schema", "compact_tool", "terse_output"]

_NULL = {"type": "null"}


def _nullable(branches: list[Any]) -> dict[str, Any] | None:
    """``{type: [T, null], ...}`` for ``anyOf: [{type: T, ...}, {type: null}]``; None for anything else."""
    if len(branches) != 2 or branches[1] != _NULL or not isinstance(branches[0], dict):
        return None
    first = branches[0]
    if not isinstance(first.get("type"), str) or "$ref" in first or "anyOf" in first:
        return None
    merged = {**first, "type": [first["type"], "null"]}
    if "enum" in merged:
        merged["enum"] = [*merged["enum"], None]
    if "const" in merged:  # a const that may be null is an enum of two
        merged["enum"] = [merged.pop("const"), None]
    return merged


def compact_schema(schema: Any) -> Any:
    """``schema`` with titles, null defaults, optional-as-anyOf and implied lengths written the short way."""
    return _without_implied(_compacted(schema))


def _compacted(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_compacted(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "$defs") and isinstance(value, dict):
            out[key] = {name: _compacted(sub) for name, sub in value.items()}  # names kept, "title" too
        elif (key == "title" and isinstance(value, str)) or (key == "default" and value is None):
            continue
        else:
            out[key] = _compacted(value)
    branches = out.get("anyOf")
    merged = _nullable(branches) if isinstance(branches, list) else None
    if merged is not None:
        del out["anyOf"]
        out = {**merged, **out}
    return out


def _without_implied(schema: Any) -> Any:
    """``schema`` without ``minLength: 1`` beside a ``pattern`` that refuses the empty string (the ids').

    (A ``type`` beside an ``enum`` is implied too, but some clients require a type on every property.)
    """
    if isinstance(schema, list):
        return [_without_implied(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {
        key: {name: _without_implied(sub) for name, sub in value.items()}
        if key in ("properties", "$defs") and isinstance(value, dict)
        else _without_implied(value)
        for key, value in schema.items()
    }
    if out.get("minLength") == 1 and _refuses_empty(out.get("pattern")):
        del out["minLength"]
    return out


def _refuses_empty(pattern: object) -> bool:
    """Whether a JSON Schema ``pattern`` (a search, not anchored unless it says so) refuses ""."""
    try:
        return isinstance(pattern, str) and re.search(pattern, "") is None
    except re.error:  # not a Python pattern: assume nothing
        return False


def _json_types(schema: dict[str, Any]) -> list[str]:
    """The JSON types a (compacted) schema allows, in order; [] when any value may do."""
    if "$ref" in schema:
        return ["object"]  # pydantic refers only to models
    if isinstance(schema.get("anyOf"), list):
        types: list[str] = []
        for branch in schema["anyOf"]:
            allowed = _json_types(branch) if isinstance(branch, dict) else []
            if not allowed:
                return []
            types += [t for t in allowed if t not in types]
        return types
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    return [t for t in declared if isinstance(t, str)] if isinstance(declared, list) else []


def terse_output(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` (an object's) as its top-level fields and their JSON types, nothing nested.

    No ``required``: every field of a result is always sent (pydantic dumps them all, null
    included), so the list pydantic makes (the fields without a default) said less than that.
    """
    properties: dict[str, Any] = {}
    for name, sub in schema.get("properties", {}).items():
        types = _json_types(sub) if isinstance(sub, dict) else []
        short: dict[str, Any] = {"type": types[0] if len(types) == 1 else types} if types else {}
        if isinstance(sub, dict) and "enum" in sub and "$ref" not in sub:
            short["enum"] = sub["enum"]
        properties[name] = short
    return {"type": "object", "properties": properties}


def compact_tool(tool: Tool) -> Tool:
    """Compact ``tool``'s input schema (validation unchanged) and make its output schema terse; return it."""
    tool.parameters = compact_schema(tool.parameters)
    if tool.fn_metadata.output_schema is not None:
        tool.fn_metadata.output_schema = terse_output(compact_schema(tool.fn_metadata.output_schema))
    return tool
