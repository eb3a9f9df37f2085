"""The browser tests' guards: nothing is built or downloaded by a test; what is missing skips locally, fails in CI.

Each case runs one real browser test in a child pytest with the browser or the host bundle taken
away, once as a person would (``CI`` unset) and once as CI does (``CI=true``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import missing_host_bundle
from tests.conftest import ROOT, skip_or_fail

TEST = "tests/browser/test_player_browser.py::test_a_batch_is_a_list_and_choosing_an_item_plays_it"
CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "BUILDKITE", "TF_BUILD", "CIRCLECI", "GITLAB_CI", "TRAVIS")


def _fake_npm(folder: Path) -> Path:
    """An ``npm`` first on PATH that only records that it was run."""
    folder.mkdir(parents=True)
    npm = folder / "npm"
    npm.write_text(f'#!/bin/sh\necho "$@" >> {folder / "ran"}\nexit 1\n')
    npm.chmod(0o755)
    return folder / "ran"


def _run(tmp_path: Path, *, ci: bool, **env: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    ran = _fake_npm(tmp_path / "bin")
    child = {k: v for k, v in os.environ.items() if k not in CI_VARIABLES}
    child.update(env, PATH=f"{tmp_path / 'bin'}{os.pathsep}{child.get('PATH', '')}")
    if ci:
        child["CI"] = "true"
    command = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", TEST]
    done = subprocess.run(command, cwd=ROOT, env=child, capture_output=True, text=True, timeout=300, check=False)
    return done, ran


@pytest.mark.parametrize("ci", [False, True], ids=["locally", "in CI"])
def test_an_unbuilt_host_is_never_built_by_a_test_and_fails_only_in_ci(tmp_path: Path, ci: bool) -> None:
    empty = tmp_path / "dist"
    empty.mkdir()
    done, npm_ran = _run(tmp_path, ci=ci, HEYGEN_LIPSYNC_TEST_HOST_DIST=str(empty))
    output = done.stdout + done.stderr
    assert not npm_ran.exists(), "a test ran npm"
    assert "the browser-test host is not built" in output and "npm ci && npm run build" in output
    if ci:
        assert done.returncode == 1 and "1 error" in output, output
        assert "CI must provide this" in output
    else:
        assert done.returncode == 0 and "1 skipped" in output, output


@pytest.mark.parametrize("ci", [False, True], ids=["locally", "in CI"])
def test_a_browser_that_is_missing_or_does_not_start_skips_locally_and_fails_in_ci(tmp_path: Path, ci: bool) -> None:
    if missing_host_bundle():  # the launch is only reached with the host built
        skip_or_fail("the browser-test host is not built: run 'npm ci && npm run build' in tests/browser/host")
    # A file that exists but is no browser: Playwright's launch fails.
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    for browser, says in ((tmp_path / "nowhere", "no browser"), (broken, "Chromium did not start")):
        done, _ = _run(tmp_path / f"run-{browser.name}", ci=ci, HEYGEN_LIPSYNC_CHROMIUM=str(browser))
        output = done.stdout + done.stderr
        assert says in output, output
        if ci:
            assert done.returncode == 1 and ("1 failed" in output or "1 error" in output), output
        else:
            assert done.returncode == 0 and "1 skipped" in output, output
