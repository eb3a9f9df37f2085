"""The test suite's own guards (tests/conftest.py): the code under test is this checkout's; CI is deterministic.

Each test runs pytest in a subprocess on a copy of the checkout's conftest, so what is
checked is what a person running the suite would see.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from hypothesis import _settings as hypothesis_settings

from tests.conftest import CHECKOUT_PACKAGES, ROOT

# Hypothesis itself derandomizes when it sees a CI system's variables; a "local" run drops them all.
CI_VARIABLES = {"CI", *getattr(hypothesis_settings, "_CI_VARS", {})}

PROBE = """
import json, pathlib
from hypothesis import settings

def test_probe():
    s = settings.default
    pathlib.Path(__file__).with_name("ran.json").write_text(
        json.dumps({"derandomize": s.derandomize, "database": s.database is None, "max_examples": s.max_examples})
    )
"""


def _checkout(tmp_path: Path, with_packages: bool) -> Path:
    """A minimal checkout: the real conftest, a probe test, and (optionally) copies of both packages."""
    checkout = tmp_path / "checkout"
    (checkout / "tests").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "conftest.py", checkout / "tests" / "conftest.py")
    (checkout / "tests" / "__init__.py").write_text("")
    (checkout / "tests" / "test_probe.py").write_text(PROBE)
    if with_packages:
        for package, source in CHECKOUT_PACKAGES.items():
            target = checkout / source.relative_to(ROOT)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            assert (target.parent / package).is_dir()
    return checkout


def _pytest(checkout: Path, pythonpath: list[Path], *args: str, ci: bool = False) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in {*CI_VARIABLES, "PYTHONPATH"}}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
    if ci:
        env["CI"] = "true"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, "tests"]
    return subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, check=False, timeout=120)


def test_the_suite_refuses_to_test_another_checkouts_code(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path, with_packages=False)
    elsewhere = [ROOT / "mcp_server", ROOT / "generated_client"]  # importable, but not from `checkout`
    result = _pytest(checkout, elsewhere)
    assert result.returncode == 4, result.stdout + result.stderr  # pytest's usage error
    output = result.stdout + result.stderr
    assert f"heygen_lipsync would be imported from {ROOT / 'mcp_server' / 'heygen_lipsync'}" in output
    assert f"not from the checkout under test ({checkout.resolve() / 'mcp_server' / 'heygen_lipsync'})" in output
    assert "pip install -e" in output and "Traceback" not in output
    assert not (checkout / "tests" / "ran.json").exists()


def test_the_suite_runs_on_its_own_checkout_randomly_by_default(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path, with_packages=True)
    result = _pytest(checkout, [checkout / "mcp_server", checkout / "generated_client"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads((checkout / "tests" / "ran.json").read_text())["derandomize"] is False


def test_ci_is_derandomized_without_a_database_and_explore_stays_available(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path, with_packages=True)
    own = [checkout / "mcp_server", checkout / "generated_client"]
    assert _pytest(checkout, own, ci=True).returncode == 0
    assert json.loads((checkout / "tests" / "ran.json").read_text()) == {
        "derandomize": True,
        "database": True,
        "max_examples": 100,
    }
    assert _pytest(checkout, own, "--hypothesis-profile=explore", ci=True).returncode == 0
    explored = json.loads((checkout / "tests" / "ran.json").read_text())
    assert explored["derandomize"] is False and explored["max_examples"] == 1000
