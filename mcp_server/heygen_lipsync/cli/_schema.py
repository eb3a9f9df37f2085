"""JSON Schemas for `--request-schema` / `--response-schema`, read from the normalised spec.

The schemas come from `heygen_lipsync_api/openapi.json`, the normalised spec the generated
client was built from (it ships inside that package, in the wheel and in a checkout
alike), with every `$ref` inlined by the shared spec walker (`heygen_lipsync.spec`), so
the printed schema is the one the client follows, upstream defects already fixed. The
file is read on the first schema printed, never at start-up. Printing needs no API key
and sends no request.
"""

from __future__ import annotations

import json
from typing import Any

import typer

from heygen_lipsync import spec as _spec

__all__ = ["SchemaError", "cli_schema", "component_schema", "load_spec", "operation_response_schema", "schema_option"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"

SchemaError = _spec.SpecError
"""The spec could not be found or does not define the requested schema (the spec walker's error)."""


def load_spec() -> dict[str, Any]:
    """The normalised OpenAPI spec shipped in the generated package (read once, then cached).

    Raises:
        SchemaError: the generated package's `openapi.json` is missing or not a JSON object.
    """
    return _spec.load_normalised()


def component_schema(name: str) -> dict[str, Any]:
    """Return `components.schemas.<name>` with every `$ref` inlined, so it stands on its own.

    Raises:
        SchemaError: the spec has no schema of that name, or a `$ref` cannot be resolved.
    """
    spec = load_spec()
    schemas = spec.get("components", {}).get("schemas", {})
    if name not in schemas:
        raise SchemaError(f"the spec defines no schema named {name!r}")
    resolved = _spec.inline(spec, {"$ref": _spec.SCHEMA_PREFIX + name})
    if not isinstance(resolved, dict):
        raise SchemaError(f"schema {name!r} is not an object")
    return {"$schema": _DIALECT, **resolved}


def operation_response_schema(operation_id: str) -> dict[str, Any]:
    """The JSON body schema of an operation's first 2xx response, every `$ref` inlined.

    Raises:
        SchemaError: no such operation, or it has no JSON success response.
    """
    spec = load_spec()
    found = _spec.operations(spec).get(operation_id)
    responses = found[2].get("responses", {}) if found else {}
    for status, response in sorted(responses.items()):
        schema = _spec.resolve(spec, response).get("content", {}).get("application/json", {}).get("schema")
        if str(status).startswith("2") and isinstance(schema, dict):
            return {"$schema": _DIALECT, **_spec.inline(spec, schema)}
    raise SchemaError(f"the spec has no operation {operation_id!r} with a JSON success response")


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
        help=f"Print the JSON Schema of this command's {what} (from the API spec) and exit.",
        is_eager=True,
        callback=show,
        rich_help_panel="Schemas",
    )
