"""CONTRIBUTING.md's module map matches the package: every module it names exists, and every module is named."""

from __future__ import annotations

import re

from tests.conftest import ROOT

PACKAGE = ROOT / "mcp_server" / "heygen_lipsync"
MAP = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8").split("## Module map", 1)[1].split("\n## ", 1)[0]


def _named() -> set[str]:
    """The modules in the first column of the map's tables."""
    cells = [line.split("|")[1] for line in MAP.splitlines() if line.startswith("| `")]
    return {name for cell in cells for name in re.findall(r"`([\w/]+\.py)`", cell)}


def _modules() -> set[str]:
    return {str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts}


def test_every_module_the_map_names_exists() -> None:
    missing = sorted(_named() - _modules())
    assert not missing, f"CONTRIBUTING.md names modules that do not exist: {missing}"


def test_every_module_of_the_package_is_in_the_map() -> None:
    unnamed = sorted(_modules() - _named())
    assert not unnamed, f"modules missing from CONTRIBUTING.md's module map: {unnamed}"
