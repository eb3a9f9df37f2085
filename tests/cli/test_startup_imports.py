"""The CLI starts without loading what only some commands need (start-up time is a README figure).

Typer needs every command's signature at start-up, and the create flags need the field table
(which loads the generated package and httpx); the client, preflight and pricing, and the batch
waiter load when a command that uses them runs.
"""

from __future__ import annotations

import subprocess
import sys

DEFERRED = (
    "heygen_lipsync.client",
    "heygen_lipsync.preflight",
    "heygen_lipsync.pricing",
    "heygen_lipsync.batch_waiting",
)


def test_building_the_cli_loads_no_command_only_module() -> None:
    code = "import sys, heygen_lipsync.cli.app; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    loaded = set(done.stdout.split())
    assert "heygen_lipsync.cli.dub" in loaded  # the app was built
    assert [name for name in DEFERRED if name in loaded] == []
