"""What HeyGen charges per second of output, by mode: the one price table of CLI and MCP server.

HeyGen bills lipsync jobs by the output's duration, at a rate that depends on the job's
mode. The defaults are list prices (HEYGEN_API.md); plans differ, so both are configurable
(``HEYGEN_LIPSYNC_RATE_SPEED`` / ``HEYGEN_LIPSYNC_RATE_PRECISION``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from heygen_lipsync.errors import ConfigurationError

__all__ = [
    "DEFAULT_RATE_PRECISION",
    "DEFAULT_RATE_SPEED",
    "ENV_RATE_PRECISION",
    "ENV_RATE_SPEED",
    "Rates",
    "rates_from_env",
]

DEFAULT_RATE_SPEED = 0.033
DEFAULT_RATE_PRECISION = 0.067
ENV_RATE_SPEED = "HEYGEN_LIPSYNC_RATE_SPEED"
ENV_RATE_PRECISION = "HEYGEN_LIPSYNC_RATE_PRECISION"


@dataclass(frozen=True)
class Rates:
    """USD per second of output, per mode."""

    speed: float = DEFAULT_RATE_SPEED
    precision: float = DEFAULT_RATE_PRECISION

    def for_mode(self, mode: str | None) -> float:
        """The rate of a mode (None is the API's default, speed)."""
        return self.precision if mode == "precision" else self.speed


def _rate(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from None
    if value != value or value < 0:
        raise ConfigurationError(f"{name} must be a non-negative number, got {raw!r}")
    return value


def rates_from_env(env: Mapping[str, str] | None = None) -> Rates:
    """The rates configured in the environment, defaults elsewhere.

    Raises:
        ConfigurationError: a rate that is not a non-negative number.
    """
    env = os.environ if env is None else env
    return Rates(
        speed=_rate(env, ENV_RATE_SPEED, DEFAULT_RATE_SPEED),
        precision=_rate(env, ENV_RATE_PRECISION, DEFAULT_RATE_PRECISION),
    )
