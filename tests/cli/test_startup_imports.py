"""The CLI starts without loading what only some commands need (start-up time is a README figure).

The root group loads a command's module only when that command runs or help lists it, so
`list` never loads `create`'s field table (the generated package's request model), the batch,
dub or MCP modules; the client, preflight and pricing load when a command that uses them runs.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

DEFERRED = (
    "heygen_lipsync.client",
    "heygen_lipsync.jobs.preflight",
    "heygen_lipsync.jobs.pricing",
    "heygen_lipsync.jobs.batch_wait",
)
# What `list` (or `get`, `status`) never needs.
CREATE_ONLY = (
    "heygen_lipsync.fields",
    "heygen_lipsync.request",
    "heygen_lipsync.jobs.campaign",
    "heygen_lipsync.cli.create",
    "heygen_lipsync.cli.dub",
    "heygen_lipsync.cli.batch",
    "heygen_lipsync.cli._fields",
    "heygen_lipsync.cli._workflows",
    "heygen_lipsync.mcp",
)


def _loaded(*args: str) -> set[str]:
    code = (
        "import sys\nfrom heygen_lipsync.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60, check=True)
    return set(done.stderr.split())


def test_importing_the_cli_loads_no_command() -> None:
    code = "import sys, heygen_lipsync.cli.app; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    loaded = set(done.stdout.split())
    assert "heygen_lipsync.cli.app" in loaded
    assert [name for name in (*DEFERRED, *CREATE_ONLY, "heygen_lipsync.cli.lipsyncs") if name in loaded] == []


@pytest.mark.parametrize("command", ["list", "get", "status"])
def test_a_read_command_loads_only_its_own_module(command: str) -> None:
    loaded = _loaded(command, "--help")
    assert "heygen_lipsync.cli.lipsyncs" in loaded  # the command was built
    # Its help needs neither HTTP nor the generated package (the spec is read without importing it).
    assert [name for name in (*DEFERRED, *CREATE_ONLY, "httpx", "heygen_lipsync_api") if name in loaded] == []


def test_the_root_help_still_lists_every_command() -> None:
    loaded = _loaded("--help")
    assert {"heygen_lipsync.cli.create", "heygen_lipsync.cli.dub", "heygen_lipsync.cli.batch"} <= loaded
    assert [name for name in DEFERRED if name in loaded] == []


def test_the_client_loads_a_generated_operation_and_its_models_only_when_called() -> None:
    """Importing the client loads no generated operation, and of the models only the error envelope every call reads."""
    code = (
        "import sys, heygen_lipsync.client, heygen_lipsync_api.models as m\n"
        "def loaded(prefix): return ' '.join(sorted(n for n in sys.modules if n.startswith(prefix))) or '-'\n"
        "print(loaded('heygen_lipsync_api.api.'), loaded('heygen_lipsync_api.models.'), sep='|')\n"
        "m.LipsyncDetail\n"
        "print(loaded('heygen_lipsync_api.models.'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    first, after = done.stdout.splitlines()
    operations, models = first.split("|")
    assert operations == "-", f"operations loaded at import: {operations}"
    assert {name.rsplit(".", 1)[1] for name in models.split()} <= {"error_envelope", "error_detail"}
    assert "heygen_lipsync_api.models.lipsync_detail" in after.split()
    assert len(after.split()) <= len(models.split()) + 3, "one model loads only itself and what it refers to"


def test_the_mcp_server_is_built_without_the_http_stack() -> None:
    """`initialize` and `tools/list` need no HTTP: httpx and the client load with the first call that uses them."""
    code = (
        "import sys\nfrom heygen_lipsync.mcp import build_server\nbuild_server()\nprint(' '.join(sorted(sys.modules)))"
    )
    env = {**os.environ, "HEYGEN_API_KEY": "test-key"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True, env=env)
    loaded = set(done.stdout.split())
    assert "heygen_lipsync.mcp.server" in loaded
    assert [
        name for name in ("httpx", "heygen_lipsync.client", "heygen_lipsync.resources.uploads") if name in loaded
    ] == []
