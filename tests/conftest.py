"""Shared test configuration: which code is under test, hypothesis profiles, logging hygiene, CI-only services.

Services and files a test needs from outside the checkout (Chromium, the browser-test host
bundle, PostgreSQL, ``../shared/upstream``): a local run without them skips the test and says
in plain words what is missing and how to get it; in CI (``CI`` set) the same test fails,
so a broken CI machine can never go quietly green. ``skip_or_fail`` does this.

Hypothesis profiles (the tests' randomness):

* ``ci``: derandomized, no example database, so a run explores the same examples every
  time and CI cannot go red by chance. Selected when the environment sets ``CI`` (CI
  systems do, and ``.ci/run`` does explicitly), or with ``--hypothesis-profile=ci``.
* ``default`` (hypothesis's own), used locally when ``CI`` is unset: random exploration,
  failures remembered in ``.hypothesis/`` and replayed first next time.
* ``explore``: random and longer (tests that set no ``max_examples`` get 10x more), for
  hunting bugs: ``python -m pytest --hypothesis-profile=explore`` (also with ``CI`` set).
  A failure it finds prints the ``@reproduce_failure`` blob to pin it down.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

# The packages under test and where this checkout keeps them.
CHECKOUT_PACKAGES = {
    "heygen_lipsync": ROOT / "mcp_server" / "heygen_lipsync",
    "heygen_lipsync_api": ROOT / "generated_client" / "heygen_lipsync_api",
}

# CI systems set CI (to "true", "1", ...); .ci/run sets CI=true.
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")

# The environment variable naming the tests' PostgreSQL database (.ci/run starts one and sets it).
DATABASE_URL_ENV = "HEYGEN_LIPSYNC_TEST_DATABASE_URL"

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    # A shared CI machine is slow at random; "too slow" there says nothing about the code.
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", max_examples=1000, derandomize=False)
if os.environ.get("CI"):
    # Loaded here, before any test module builds its @settings; --hypothesis-profile still wins.
    settings.load_profile("ci")


def _imported_from(package: str) -> Path | None:
    found = importlib.util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        return None
    return Path(next(iter(found.submodule_search_locations))).resolve()


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to run when the packages would be imported from somewhere else than this checkout.

    An editable install of another clone (or a stale wheel) on the path otherwise makes
    every test silently test that code.

    Raises:
        pytest.UsageError: a package is not importable, or resolves outside this checkout.
    """
    for package, expected in CHECKOUT_PACKAGES.items():
        actual = _imported_from(package)
        if actual == expected.resolve():
            continue
        where = "is not importable" if actual is None else f"would be imported from {actual}"
        raise pytest.UsageError(
            f"{package} {where}, not from the checkout under test ({expected}), so the tests would not "
            f"test this code. In this checkout run `python -m pip install -e '.[dev]'`, or set "
            f"PYTHONPATH={ROOT / 'mcp_server'}{os.pathsep}{ROOT / 'generated_client'}"
        )


def skip_or_fail(reason: str) -> NoReturn:
    """Skip the test with ``reason`` locally; in CI, where everything must be there, fail it instead.

    Raises:
        pytest.skip.Exception: outside CI.
        pytest.fail.Exception: in CI.
    """
    if IN_CI:
        pytest.fail(f"{reason} [CI must provide this, so the test fails instead of skipping]", pytrace=False)
    pytest.skip(reason)


def shared_upstream_file(name: str) -> Path:
    """HeyGen's published file ``name`` in ``../shared/upstream``; skips (locally) or fails (CI) without it."""
    path = SHARED / "upstream" / name
    if not path.is_file():
        skip_or_fail(
            f"needs {name}, HeyGen's published API description, which is reference material kept outside "
            f"this repository (in a folder named shared/upstream next to the checkout, {path.parent}). "
            "Without it these comparisons cannot run; CI always has the folder, so they run there"
        )
    return path


def pytest_runtest_setup(item: pytest.Item) -> None:
    """``@pytest.mark.needs_shared_upstream(NAME)``: the test needs ``../shared/upstream/NAME``."""
    for mark in item.iter_markers("needs_shared_upstream"):
        shared_upstream_file(*mark.args)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The URL of a PostgreSQL database the tests may use and empty (``HEYGEN_LIPSYNC_TEST_DATABASE_URL``).

    ``.ci/run`` starts a private server on loopback and sets it. Locally, point it at a
    throw-away database: ``HEYGEN_LIPSYNC_TEST_DATABASE_URL=postgresql://USER@127.0.0.1:PORT/DB``.
    """
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    if not url:
        skip_or_fail(
            f"needs a PostgreSQL database, and {DATABASE_URL_ENV} is not set. Point it at a throw-away "
            f"database (e.g. {DATABASE_URL_ENV}=postgresql://postgres@127.0.0.1:5432/heygen_test); "
            ".ci/run starts one for CI"
        )
    return url


@pytest.fixture(autouse=True)
def _no_user_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never write the user's job ledger; the ledger's own tests point it at a temporary file."""
    monkeypatch.setenv("HEYGEN_LIPSYNC_LEDGER", "off")


@pytest.fixture(autouse=True)
def _no_user_heygen_login(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read the user's HeyGen CLI login: its directory is an empty one of the test's own."""
    empty = tmp_path_factory.mktemp("heygen-login")
    monkeypatch.setenv("HEYGEN_CONFIG_DIR", str(empty))
    monkeypatch.setattr("heygen_lipsync.heygen_login._default_dir", lambda: empty)


@pytest.fixture(autouse=True)
def _restore_root_logging() -> Iterator[None]:
    """Undo what an in-process `main()` does to the root logger.

    The commands configure logging for their whole process (a stderr handler on the root
    logger, a level). In a test that handler points at pytest's captured stderr, which is
    closed after the test, so every later log line would print "--- Logging error ---".
    """
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    httpx_level = logging.getLogger("httpx").level
    yield
    for handler in list(root.handlers):
        if handler not in before and type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(httpx_level)
