"""A local server that speaks HeyGen's Lipsync API, for offline use, cassette recording and fault tests.

It implements every operation of the vendored spec (openapi/heygen-lipsync.yaml) with
the same paths, validation, envelopes and error codes, keeps its state in SQLite, and
produces real MP4 outputs: the source video with the replacement audio as its
soundtrack. It does NOT re-animate lips.

    from heygen_lipsync.sandbox import EmbeddedSandbox, SandboxConfig

    with EmbeddedSandbox(SandboxConfig(pending_seconds=0.1, running_seconds=0.5)) as sb:
        ...  # AsyncLipsyncClient(base_url=sb.base_url, api_key=sb.api_key)

This package does not import the client library: it stands on its own.
"""

from __future__ import annotations

from pathlib import Path

from heygen_lipsync.sandbox.app import SANDBOX_NOTE, SandboxApp, create_app
from heygen_lipsync.sandbox.config import (
    DATA_DIR_ENV,
    DEFAULT_SANDBOX_KEY,
    FaultConfig,
    SandboxConfig,
    default_data_dir,
)
from heygen_lipsync.sandbox.faults import ConnectionDropped
from heygen_lipsync.sandbox.server import EmbeddedSandbox, run_sandbox

__all__ = [
    "DATA_DIR_ENV",
    "DEFAULT_SANDBOX_KEY",
    "SAMPLE_AUDIO",
    "SAMPLE_VIDEO",
    "SANDBOX_NOTE",
    "ConnectionDropped",
    "EmbeddedSandbox",
    "FaultConfig",
    "SandboxApp",
    "SandboxConfig",
    "create_app",
    "default_data_dir",
    "run_sandbox",
]

_SAMPLES = Path(__file__).resolve().parent / "samples"
#: A 4 s, 160x120 H.264 + AAC sample video (made by scripts/make_samples.py).
SAMPLE_VIDEO = _SAMPLES / "sample.mp4"
#: A 3 s, 16 kHz mono WAV of three beeps: the sample replacement audio.
SAMPLE_AUDIO = _SAMPLES / "sample.wav"
