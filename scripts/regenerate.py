#!/usr/bin/env python3
"""Regenerate generated_client/heygen_lipsync_api from the vendored spec.

    python scripts/regenerate.py            # rewrite generated_client/
    python scripts/regenerate.py --check    # exit 1, naming files, if it is stale

The vendored spec (openapi/heygen-lipsync.yaml) stays exactly as HeyGen publishes
it, defects included. What would break or degrade generation is fixed by
`normalise()` in the library's `heygen_lipsync/spec.py`, one small named function per
upstream defect (the CLI and the tests read the same normalised form). The normalised
document is handed to openapi-python-client (version pinned in pyproject.toml,
config in openapi/generator-config.yaml, `--meta none`), the output is formatted
with ruff, and the result replaces generated_client/heygen_lipsync_api.

Running it twice in a row changes nothing: the inputs are the spec, this script,
the config and the pinned tool versions, and nothing else (no dates, no paths).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This checkout's library, not whatever heygen_lipsync the environment has installed:
# the normalisation must be the one committed beside this script. Only the spec module
# is imported (stdlib-only, and the package loads nothing else eagerly), so this works
# before the generated client exists.
sys.path.insert(0, str(ROOT / "mcp_server"))

from heygen_lipsync.spec import (  # noqa: E402
    NORMALISATIONS,
    NORMALISED_SPEC,
    Spec,
    drop_null_defaults,
    fix_discriminator_mapping_refs,
    hoist_data_envelopes,
    hoist_error_envelopes,
    normalise,
    open_response_enums,
)

__all__ = [
    "NORMALISATIONS",
    "drop_null_defaults",
    "fix_discriminator_mapping_refs",
    "generate",
    "hoist_data_envelopes",
    "hoist_error_envelopes",
    "load_spec",
    "main",
    "normalise",
    "open_response_enums",
]

SPEC = ROOT / "openapi" / "heygen-lipsync.yaml"
CONFIG = ROOT / "openapi" / "generator-config.yaml"
# Our templates in place of the generator's own (only models/__init__.py: its models load on first use).
TEMPLATES = ROOT / "openapi" / "templates"
PACKAGE = "heygen_lipsync_api"
TARGET = ROOT / "generated_client" / PACKAGE


# The generator and the formatter shape the output, so they run at the versions pinned in
# pyproject.toml, from the first interpreter that has exactly those: this one, else the
# project's own environments (the README's test command and .ci/run make them).
TOOLS = ("openapi-python-client", "ruff")
TOOLCHAIN_CANDIDATES = (ROOT / ".venv" / "bin" / "python", ROOT / ".ci" / "venv" / "bin" / "python")


def pinned_versions(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    """The ``name==version`` pins of TOOLS in the dev extra."""
    dev = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["optional-dependencies"]["dev"]
    pins = dict(entry.split("==", 1) for entry in dev if "==" in entry)
    return {name: pins[name] for name in TOOLS}


def _has_versions(python: str, pins: dict[str, str]) -> bool:
    probe = (
        "import importlib.metadata as m, sys\n"
        f"try:\n    ok = all(m.version(n) == v for n, v in {pins!r}.items())\n"
        "except m.PackageNotFoundError:\n    ok = False\n"
        "sys.exit(0 if ok else 1)"
    )
    try:
        return subprocess.run([python, "-c", probe], capture_output=True, check=False).returncode == 0
    except OSError:
        return False


def toolchain_python(candidates: tuple[Path, ...] = TOOLCHAIN_CANDIDATES) -> str:
    """An interpreter with the pinned generator and ruff: this one, else one of ``candidates``.

    Raises:
        SystemExit: none has them; says how to install them.
    """
    pins = pinned_versions()
    for python in (sys.executable, *(str(c) for c in candidates if c.exists())):
        if _has_versions(python, pins):
            return python
    wanted = ", ".join(f"{name}=={version}" for name, version in pins.items())
    raise SystemExit(
        f"{wanted} (the versions that shape the generated code) are not installed for {sys.executable} "
        "nor in .venv or .ci/venv; install them with `pip install -e '.[dev]'` (the README's test "
        "command does) and run this script again"
    )


def load_spec(path: Path = SPEC) -> Spec:
    """Read the vendored (raw, un-normalised) spec; exit naming the file if it is not one."""
    try:
        import yaml
    except ModuleNotFoundError:
        raise SystemExit("PyYAML is needed to read the spec: pip install -e '.[dev]'") from None
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
        raise SystemExit("openapi-python-client reported warnings; fix them in heygen_lipsync/spec.py")


def generate(spec: Spec, workdir: Path, python: str | None = None) -> Path:
    """Generate the package from an (already normalised) spec into workdir, with ``python``'s pinned tools."""
    python = python or toolchain_python()
    source = workdir / "spec.json"
    source.write_text(json.dumps(spec, indent=2, sort_keys=False), encoding="utf-8")
    out = workdir / PACKAGE
    _run(
        [
            python,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(source),
            "--config",
            str(CONFIG),
            "--custom-template-path",
            str(TEMPLATES),
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
    ruff = [python, "-m", "ruff"]
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
