"""JSON Schemas for `--request-schema` / `--response-schema`, read from the vendored spec.

The spec ships inside the wheel as `heygen_lipsync/_spec/heygen-lipsync.yaml` (a hatch
force-include); in an editable install that file is not there, so the repository's
`openapi/heygen-lipsync.yaml` is used instead. Printing needs no API key and sends no request.
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
import json
from pathlib import Path
from typing import Any

import typer
import yaml

__all__ = ["SchemaError", "cli_schema", "component_schema", "load_spec", "operation_response_schema", "schema_option"]

_SPEC_NAME = "heygen-lipsync.yaml"
# mcp_server/heygen_lipsync/cli/_schema.py -> the repository root is three levels above the package.
_REPO_SPEC = Path(__file__).resolve().parents[3] / "openapi" / _SPEC_NAME
_REF_PREFIX = "#/components/schemas/"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class SchemaError(Exception):
    """The vendored spec could not be found or does not define the requested schema."""


@functools.cache
def load_spec() -> dict[str, Any]:
    """Load the vendored OpenAPI spec: the copy in the installed package, else the repository's.

    Raises:
        SchemaError: neither copy exists or it is not a YAML mapping.
    """
    packaged = importlib.resources.files("heygen_lipsync").joinpath("_spec", _SPEC_NAME)
    if packaged.is_file():
        text = packaged.read_text(encoding="utf-8")
    elif _REPO_SPEC.is_file():
        text = _REPO_SPEC.read_text(encoding="utf-8")
    else:
        raise SchemaError(f"the vendored spec {_SPEC_NAME} is missing from this installation; reinstall heygen-lipsync")
    spec = yaml.safe_load(text)
    if not isinstance(spec, dict):
        raise SchemaError(f"{_SPEC_NAME} is not an OpenAPI document")
    return spec


def component_schema(name: str) -> dict[str, Any]:
    """Return `components.schemas.<name>` with every `$ref` inlined, so it stands on its own.

    The seed's discriminators map each value to a `{$ref: ...}` object where OpenAPI wants a
    string; once the refs are inlined the mapping points nowhere, so each value becomes the
    target schema's name (which is also the inlined subschema's `title`).

    Raises:
        SchemaError: the spec has no schema of that name, or a `$ref` cannot be resolved.
    """
    schemas = load_spec().get("components", {}).get("schemas", {})
    if name not in schemas:
        raise SchemaError(f"the vendored spec defines no schema named {name!r}")
    resolved = _inline(copy.deepcopy(schemas[name]), schemas, (name,))
    if not isinstance(resolved, dict):
        raise SchemaError(f"schema {name!r} is not an object")
    return {"$schema": _DIALECT, **resolved}


def operation_response_schema(operation_id: str) -> dict[str, Any]:
    """The JSON body schema of an operation's first 2xx response, every `$ref` inlined.

    Raises:
        SchemaError: no such operation, or it has no JSON success response.
    """
    spec = load_spec()
    schemas = spec.get("components", {}).get("schemas", {})
    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or operation.get("operationId") != operation_id:
                continue
            for status, response in sorted(operation.get("responses", {}).items()):
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if str(status).startswith("2") and isinstance(schema, dict):
                    return {"$schema": _DIALECT, **_inline(copy.deepcopy(schema), schemas, ())}
    raise SchemaError(f"the vendored spec has no operation {operation_id!r} with a JSON success response")


def _ref_name(ref: object) -> str:
    if not isinstance(ref, str) or not ref.startswith(_REF_PREFIX):
        raise SchemaError(f"cannot resolve $ref {ref!r}: only {_REF_PREFIX}<name> is supported")
    return ref.removeprefix(_REF_PREFIX)


def _inline(node: Any, schemas: dict[str, Any], seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline(item, schemas, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "discriminator" in node and isinstance(node["discriminator"].get("mapping"), dict):
        mapping = node["discriminator"]["mapping"]
        node["discriminator"]["mapping"] = {
            key: _ref_name(value["$ref"]) if isinstance(value, dict) and "$ref" in value else value
            for key, value in mapping.items()
        }
    if "$ref" in node:
        target = _ref_name(node["$ref"])
        if target in seen:
            raise SchemaError(f"schema {target!r} refers to itself; it cannot be inlined")
        if target not in schemas:
            raise SchemaError(f"cannot resolve $ref {node['$ref']!r}")
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        body = _inline(copy.deepcopy(schemas[target]), schemas, (*seen, target))
        # Keywords beside the $ref (description, default) describe this use and win over the target's.
        return {**body, **{key: _inline(value, schemas, seen) for key, value in siblings.items()}}
    return {key: _inline(value, schemas, seen) for key, value in node.items()}


def cli_schema(name: str) -> dict[str, Any]:
    """The schema of what a command reads or prints: a component name, or one of the CLI's own shapes.

    ``create`` prints ``{lipsync_id}`` (LipsyncCreateResponse), or the finished job
    (LipsyncDetail) with ``--wait``/``--download``; ``list`` prints the API's page object;
    ``statuses`` prints a list of LipsyncStatusEntry (every page).

    Raises:
        SchemaError: the spec lacks a schema that is needed.
    """
    if name == "create":
        return {
            "$schema": _DIALECT,
            "description": "Without --wait: LipsyncCreateResponse. With --wait or --download: LipsyncDetail.",
            "oneOf": [_strip(component_schema("LipsyncCreateResponse")), _strip(component_schema("LipsyncDetail"))],
        }
    if name == "list":
        return operation_response_schema("listLipsyncsV3")
    if name == "statuses":
        return {"$schema": _DIALECT, "type": "array", "items": _strip(component_schema("LipsyncStatusEntry"))}
    return component_schema(name)


def _strip(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key != "$schema"}


def schema_option(kind: str, name: str) -> Any:
    """A ``--request-schema`` / ``--response-schema`` flag that prints the schema and exits.

    Eager, so it works without the command's required arguments, without a key, and without a request.
    """

    def show(value: bool) -> None:
        if not value:
            return
        try:
            schema = cli_schema(name)
        except SchemaError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo(json.dumps(schema, indent=2, ensure_ascii=False))
        raise typer.Exit()

    what = "request body" if kind == "request" else "output"
    return typer.Option(
        f"--{kind}-schema",
        help=f"Print the JSON Schema of this command's {what} (from the vendored spec) and exit.",
        is_eager=True,
        callback=show,
        rich_help_panel="Schemas",
    )
