"""What the tests need from outside the checkout, and what happens when it is not there.

* PostgreSQL: ``.ci/run`` starts a private server and names it in HEYGEN_LIPSYNC_TEST_DATABASE_URL;
  the ``postgres_url`` fixture hands it to tests. The smoke test proves the server answers.
* Without a service or file a test needs, the test skips locally with a reason a newcomer can
  act on, and fails in CI. The guards are checked in a child pytest on a copy of the real
  conftest, once as a person would run it and once as CI does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import DATABASE_URL_ENV
from tests.scripts.test_conftest import CI_VARIABLES, _checkout

NEEDS_SHARED = """
import pytest

@pytest.mark.needs_shared_upstream("heygen-published-schemas-2026-07-22.json")
def test_needs_the_published_file():
    pass
"""

NEEDS_POSTGRES = """
def test_needs_postgres(postgres_url):
    pass
"""


def _run_probe(tmp_path: Path, probe: str, *, ci: bool) -> tuple[int, str]:
    """Run ``probe`` as the only test of a copy of the checkout, without the service; exit code and output."""
    checkout = _checkout(tmp_path, with_packages=True)
    (checkout / "tests" / "test_probe.py").write_text(probe)
    env = {k: v for k, v in os.environ.items() if k not in {*CI_VARIABLES, "PYTHONPATH", DATABASE_URL_ENV}}
    env["PYTHONPATH"] = os.pathsep.join(str(checkout / p) for p in ("mcp_server", "generated_client"))
    if ci:
        env["CI"] = "true"
    # The marker is registered in pyproject.toml, which the copied checkout does not have.
    marker = "markers=needs_shared_upstream(name): needs ../shared/upstream/NAME"
    command = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-o", marker, "tests"]
    done = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, check=False, timeout=120)
    return done.returncode, done.stdout + done.stderr


def test_the_tests_postgres_answers_and_keeps_what_it_is_given(postgres_url: str) -> None:
    psycopg = pytest.importorskip("psycopg", reason="psycopg is a dev dependency: pip install -e '.[dev]'")
    table = f"ci_smoke_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, connect_timeout=10) as conn:
        assert conn.execute("SELECT 1 + 1").fetchone() == (2,)
        conn.execute(f"CREATE TEMPORARY TABLE {table} (id serial PRIMARY KEY, name text NOT NULL)")
        conn.execute(f"INSERT INTO {table} (name) VALUES (%s), (%s)", ("talk.mp4", "dub.wav"))
        assert conn.execute(f"SELECT name FROM {table} ORDER BY id").fetchall() == [("talk.mp4",), ("dub.wav",)]
        (version,) = conn.execute("SHOW server_version_num").fetchone()  # type: ignore[misc]
        assert int(version) >= 130000


@pytest.mark.parametrize(("probe", "missing"), [(NEEDS_SHARED, "shared/upstream"), (NEEDS_POSTGRES, DATABASE_URL_ENV)])
def test_a_missing_file_or_service_skips_locally_and_says_why(tmp_path: Path, probe: str, missing: str) -> None:
    code, output = _run_probe(tmp_path, probe, ci=False)
    assert code == 0 and "1 skipped" in output, output
    assert missing in output and "CI" in output


@pytest.mark.parametrize(("probe", "missing"), [(NEEDS_SHARED, "shared/upstream"), (NEEDS_POSTGRES, DATABASE_URL_ENV)])
def test_in_ci_a_missing_file_or_service_fails(tmp_path: Path, probe: str, missing: str) -> None:
    code, output = _run_probe(tmp_path, probe, ci=True)
    assert code == 1 and "skipped" not in output, output
    assert missing in output and "CI must provide this" in output
