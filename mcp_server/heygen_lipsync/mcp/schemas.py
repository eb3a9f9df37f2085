"""Tool schemas without what pydantic adds for people reading Python: the same validation, fewer bytes.

A client sends ``tools/list`` to the model in every conversation, so every byte there is paid
for again and again. pydantic's JSON schemas carry a ``title`` for every model and field
("Lipsync Id"), spell an optional value as ``anyOf: [{...}, {type: null}]`` and repeat
``default: null`` for it. None of that changes what validates; the argument names and their
descriptions say the rest. ``compact_tool`` rewrites a tool's input and output schemas:

- string ``title`` keywords are dropped (a property *named* title is kept: its value is a schema);
- ``anyOf: [{type: T, ...}, {type: null}]`` becomes ``{type: [T, "null"], ...}`` (``null`` joins
  an ``enum``), when the first branch is a plain typed schema (never a ``$ref``);
- ``default: null`` is dropped (an argument not in ``required`` may be left out anyway);
- an output schema's models lose their docstrings ("get_lipsync's result."): the tool's own
  description says what it returns, and every field keeps its description; its defaults go
  too (a result carries every field).

Measured by ``scripts/bench/tools_list.py``.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver.tools import Tool

__all__ = ["compact_schema", "compact_tool"]

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
    """``schema`` with titles, null defaults and optional-as-anyOf written the short way (see the module)."""
    if isinstance(schema, list):
        return [compact_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: compact_schema(sub) for name, sub in value.items()}  # names kept, "title" too
        elif key == "$defs" and isinstance(value, dict):
            out[key] = {name: compact_schema(sub) for name, sub in value.items()}
        elif (key == "title" and isinstance(value, str)) or (key == "default" and value is None):
            continue
        else:
            out[key] = compact_schema(value)
    branches = out.get("anyOf")
    merged = _nullable(branches) if isinstance(branches, list) else None
    if merged is not None:
        del out["anyOf"]
        out = {**merged, **out}
    return out


def _without_defaults(schema: Any) -> Any:
    """An output schema without ``default``: a result always carries its fields, defaults say nothing."""
    if isinstance(schema, list):
        return [_without_defaults(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {
        k: (
            {name: _without_defaults(sub) for name, sub in v.items()}
            if k in ("properties", "$defs") and isinstance(v, dict)
            else _without_defaults(v)
        )
        for k, v in schema.items()
        if k != "default"
    }


def _without_model_docs(schema: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in schema.items() if k != "description"}
    if isinstance(out.get("$defs"), dict):
        out["$defs"] = {name: _without_model_docs(sub) for name, sub in out["$defs"].items()}
    return out


def compact_tool(tool: Tool) -> Tool:
    """Compact ``tool``'s input and output schemas in place (validation unchanged); return it."""
    tool.parameters = compact_schema(tool.parameters)
    if tool.fn_metadata.output_schema is not None:
        output = compact_schema(tool.fn_metadata.output_schema)
        tool.fn_metadata.output_schema = _without_model_docs(_without_defaults(output))
    return tool
