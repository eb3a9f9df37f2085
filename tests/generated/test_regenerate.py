"""scripts/regenerate.py: normalisation, determinism and --check."""

from __future__ import annotations

import copy
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from tests.conftest import ROOT, SHARED


def _load_regenerate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regenerate", ROOT / "scripts" / "regenerate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


regen = _load_regenerate()
VENDORED = regen.load_spec()


def _seed_fragment() -> dict:
    """The product owner's create-lipsync fragment, as published (defects included)."""
    seed = SHARED / "seeds" / "create-lipsync-openapi.md"
    if seed.exists():
        text = seed.read_text(encoding="utf-8")
        block = text.split("````yaml", 1)[1].split("\n", 1)[1].split("````", 1)[0]
        return yaml.safe_load(block)
    # Without shared/, cut the same operation out of the vendored copy.
    spec = copy.deepcopy(VENDORED)
    spec["paths"] = {"/v3/lipsyncs": {"post": spec["paths"]["/v3/lipsyncs"]["post"]}}
    return spec


def _generate(spec: dict, tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    return regen.generate(spec, tmp_path)


def test_unmodified_seed_generates_only_because_of_normalisation(tmp_path: Path) -> None:
    seed = _seed_fragment()
    with pytest.raises(SystemExit):
        _generate(copy.deepcopy(seed), tmp_path / "raw")
    # Every normalisation except the discriminator fix still leaves it broken...
    partial = copy.deepcopy(seed)
    for fix in regen.NORMALISATIONS:
        if fix is not regen.fix_discriminator_mapping_refs:
            partial = fix(partial)
    with pytest.raises(SystemExit):
        _generate(partial, tmp_path / "partial")
    # ...and with it the seed generates a working create operation.
    out = _generate(regen.normalise(seed), tmp_path / "fixed")
    assert (out / "api" / "lipsync" / "create_lipsync_v3.py").is_file()


def test_error_envelopes_become_one_model() -> None:
    spec = regen.normalise(VENDORED)
    schemas = spec["components"]["schemas"]
    assert "ErrorEnvelope" in schemas
    refs = []
    for item in spec["paths"].values():
        for op in item.values():
            for status, resp in op["responses"].items():
                if status.startswith(("4", "5")) and "content" in resp:
                    refs.append(resp["content"]["application/json"]["schema"])
    assert refs and all(r == {"$ref": "#/components/schemas/ErrorEnvelope"} for r in refs)


def test_response_enums_opened_request_enums_kept() -> None:
    schemas = regen.normalise(VENDORED)["components"]["schemas"]
    assert "enum" not in schemas["VideoTranslationStatus"]
    assert "pending" in schemas["VideoTranslationStatus"]["description"]
    assert schemas["VideoTranslationMode"]["enum"] == ["speed", "precision"]


def test_normalise_leaves_its_input_untouched() -> None:
    before = copy.deepcopy(VENDORED)
    regen.normalise(VENDORED)
    assert before == VENDORED


def test_check_passes_on_a_copy_and_fails_naming_an_edited_file(tmp_path: Path) -> None:
    target = tmp_path / "heygen_lipsync_api"
    shutil.copytree(regen.TARGET, target, ignore=shutil.ignore_patterns("__pycache__"))
    assert regen.main(["--check", "--target", str(target)]) == 0

    edited = target / "models" / "lipsync_detail.py"
    edited.write_text(edited.read_text() + "\n# hand edit\n")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "regenerate.py"), "--check", "--target", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "models/lipsync_detail.py" in proc.stderr


def test_regenerating_writes_the_tree_check_then_accepts(tmp_path: Path) -> None:
    target = tmp_path / "pkg"
    assert regen.main(["--target", str(target)]) == 0
    assert (target / "py.typed").exists()
    assert regen.main(["--check", "--target", str(target)]) == 0


def _stub_python(path: Path, exit_code: int) -> Path:
    path.write_text(f"#!/bin/sh\nexit {exit_code}\n")
    path.chmod(0o755)
    return path


def test_the_pinned_tools_come_from_the_projects_environment_when_this_python_lacks_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python3 scripts/regenerate.py --check` from a bare interpreter uses .venv's or .ci/venv's tools."""
    monkeypatch.setattr(sys, "executable", str(_stub_python(tmp_path / "bare", 1)))
    with_tools = _stub_python(tmp_path / "venv-python", 0)
    assert regen.toolchain_python((tmp_path / "missing", with_tools)) == str(with_tools)


def test_without_the_pinned_tools_anywhere_it_says_how_to_install_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(_stub_python(tmp_path / "bare", 1)))
    with pytest.raises(SystemExit) as exc:
        regen.toolchain_python((tmp_path / "missing",))
    message = str(exc.value)
    assert "openapi-python-client==0.29.1" in message and "pip install -e '.[dev]'" in message


def test_the_pins_are_read_from_pyproject() -> None:
    assert regen.pinned_versions() == {"openapi-python-client": "0.29.1", "ruff": "0.17.6"}
