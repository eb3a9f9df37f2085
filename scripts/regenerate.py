#!/usr/bin/env python3
"""Regenerate generated_client/heygen_lipsync_api from the vendored spec.

    python scripts/regenerate.py            # rewrite generated_client/
    python scripts/regenerate.py --check    # exit 1, naming files, if it is stale

The vendored spec (openapi/heygen-lipsync.yaml) stays exactly as HeyGen publishes
it, defects included. What would break or degrade generation is fixed here, in
`normalise()`, one small named function per upstream defect. The normalised
document is handed to openapi-python-client (version pinned in pyproject.toml,
config in openapi/generator-config.yaml, `--meta none`), the output is formatted
with ruff, and the result replaces generated_client/heygen_lipsync_api.

Running it twice in a row changes nothing: the inputs are the spec, this script,
the config and the pinned tool versions, and nothing else (no dates, no paths).
"""

from __future__ import annotations

import argparse
import copy
import filecmp
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "heygen-lipsync.yaml"
CONFIG = ROOT / "openapi" / "generator-config.yaml"
PACKAGE = "heygen_lipsync_api"
TARGET = ROOT / "generated_client" / PACKAGE

NORMALISED_SPEC = "openapi.json"
ERROR_ENVELOPE = "ErrorEnvelope"
SCHEMA_PREFIX = "#/components/schemas/"

Spec = dict[str, Any]


# --------------------------------------------------------------------------
# Normalisation: each function answers one defect of the upstream spec.
# --------------------------------------------------------------------------


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Yield every mapping in a JSON-like tree, parents before children."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def fix_discriminator_mapping_refs(spec: Spec) -> Spec:
    """Upstream defect: discriminator `mapping` values written as `{$ref: ...}`.

    OpenAPI requires each mapping value to be a plain string (a schema name or a
    reference). HeyGen's create-lipsync schema writes `{$ref: '#/...'}` objects,
    which openapi-python-client rejects outright, so the seed does not generate
    as published. Replace each object by the reference string it holds.
    """
    for node in _walk(spec):
        mapping = node.get("discriminator", {}).get("mapping") if isinstance(node.get("discriminator"), dict) else None
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


def _refs_in(node: Any) -> set[str]:
    return {
        n["$ref"].removeprefix(SCHEMA_PREFIX)
        for n in _walk(node)
        if isinstance(n.get("$ref"), str) and n["$ref"].startswith(SCHEMA_PREFIX)
    }


def _closure(spec: Spec, roots: set[str]) -> set[str]:
    schemas = spec["components"]["schemas"]
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        todo.extend(_refs_in(schemas[name]))
    return seen


def open_response_enums(spec: Spec) -> Spec:
    """Upstream defect: response-only enums are closed.

    `status` fields are declared as enums. The generated parser raises ValueError
    on any value outside the enum, so the first status HeyGen adds would crash
    every client reading a job. Enums reached only from responses become plain
    strings (known values listed in the description); enums a request can carry
    stay closed, so bad input is still refused before it is sent.
    """
    request_roots: set[str] = set()
    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            request_roots |= _refs_in(operation.get("requestBody", {}))
            request_roots |= _refs_in(operation.get("parameters", []))
    request_roots |= _refs_in(spec.get("components", {}).get("parameters", {}))
    in_requests = _closure(spec, request_roots)
    for name, schema in spec["components"]["schemas"].items():
        if name in in_requests or not isinstance(schema, dict) or "enum" not in schema:
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


NORMALISATIONS: list[Callable[[Spec], Spec]] = [
    fix_discriminator_mapping_refs,
    hoist_error_envelopes,
    hoist_data_envelopes,
    open_response_enums,
    drop_null_defaults,
]


def normalise(spec: Spec) -> Spec:
    """Apply every normalisation, in order, to a copy of `spec`."""
    result = copy.deepcopy(spec)
    for fix in NORMALISATIONS:
        result = fix(result)
    return result


def load_spec(path: Path = SPEC) -> Spec:
    with path.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    if not isinstance(loaded, dict):
        raise SystemExit(f"{path}: not an OpenAPI document")
    return loaded


# --------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------


def _run(cmd: list[str], cwd: Path) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd[:4])} ...")
    # The generator reports schemas it could not turn into code as warnings and
    # carries on; a client silently missing an operation is worse than a failure.
    if "Warning(s) encountered" in proc.stdout or "Unable to parse" in proc.stdout:
        sys.stderr.write(proc.stdout)
        raise SystemExit("openapi-python-client reported warnings; fix them in normalise()")


def generate(spec: Spec, workdir: Path) -> Path:
    """Generate the package from an (already normalised) spec into workdir."""
    source = workdir / "spec.json"
    source.write_text(json.dumps(spec, indent=2, sort_keys=False), encoding="utf-8")
    out = workdir / PACKAGE
    _run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(source),
            "--config",
            str(CONFIG),
            "--meta",
            "none",
            "--output-path",
            str(out),
            "--overwrite",
        ],
        cwd=workdir,
    )
    (out / "py.typed").write_text("", encoding="utf-8")
    # The normalised spec travels with the code generated from it: the library reads its
    # request fields (descriptions, defaults, allowed values, limits) and the CLI prints
    # its schemas from this file, so one regeneration updates every front-end.
    (out / NORMALISED_SPEC).write_text(json.dumps(spec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff"]
    settings = ["--isolated", "--line-length", "120", "--target-version", "py311"]
    _run([*ruff, "check", *settings, "--fix-only", "--extend-select", "I,UP", "--quiet", str(out)], cwd=workdir)
    _run([*ruff, "format", *settings, "--quiet", str(out)], cwd=workdir)
    return out


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def differences(fresh: Path, committed: Path) -> list[str]:
    """Relative paths that differ between two generated trees, sorted."""
    a, b = _files(fresh), _files(committed) if committed.exists() else set()
    changed = {f for f in a & b if not filecmp.cmp(fresh / f, committed / f, shallow=False)}
    return sorted(changed | (a ^ b))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed client is stale; write nothing")
    parser.add_argument("--spec", type=Path, default=SPEC, help="spec to generate from (default: the vendored one)")
    parser.add_argument("--target", type=Path, default=TARGET, help="package directory to write or check")
    args = parser.parse_args(argv)

    spec = normalise(load_spec(args.spec))
    with tempfile.TemporaryDirectory(prefix="heygen-regen-") as tmp:
        fresh = generate(spec, Path(tmp))
        diff = differences(fresh, args.target)
        if args.check:
            if diff:
                print(f"{args.target} is stale; run `python scripts/regenerate.py`. Differing files:", file=sys.stderr)
                for name in diff:
                    print(f"  {name}", file=sys.stderr)
                return 1
            print(f"{args.target} is up to date.")
            return 0
        if not diff:
            print(f"{args.target} already up to date.")
            return 0
        if args.target.exists():
            shutil.rmtree(args.target)
        args.target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(fresh, args.target)
        print(f"Regenerated {args.target} ({len(diff)} file(s) changed).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
