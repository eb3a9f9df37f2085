"""The MCP server's own settings: explicit argument > environment > default.

| variable | meaning | default |
|---|---|---|
| ``HEYGEN_LIPSYNC_ALLOWED_DIRS`` | directories tools may read and write (``os.pathsep``-separated) | cwd (not ``/``) |
| ``HEYGEN_LIPSYNC_OUTPUT_DIR`` | where downloads go; must be inside an allowed directory | first allowed directory |
| ``HEYGEN_LIPSYNC_RATE_SPEED`` | USD per second of output, mode speed (cost estimates) | 0.033 |
| ``HEYGEN_LIPSYNC_RATE_PRECISION`` | USD per second of output, mode precision | 0.067 |
| ``HEYGEN_LIPSYNC_MAX_JOBS_PER_SESSION`` | jobs one MCP session may create | 10 |
| ``HEYGEN_LIPSYNC_WAIT_SECONDS`` | default bound of one wait_for_lipsync call | 45 |
| ``HEYGEN_LIPSYNC_MAX_WAIT_SECONDS`` | the most a caller may ask one wait_for_lipsync call to wait | 600 |
| ``HEYGEN_LIPSYNC_MCP_TOKEN`` | bearer token HTTP clients must send | none |
| ``HEYGEN_LIPSYNC_LOG_LEVEL`` | log level (logs go to stderr) | INFO |

The API key and base URL are the library's (``HEYGEN_API_KEY``, ``HEYGEN_BASE_URL``, see
``heygen_lipsync.config``); the HTTP transport's host, port and allowed hosts are read by
``main.py``, the only place that uses them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from heygen_lipsync.errors import ConfigurationError

__all__ = [
    "DEFAULT_MAX_JOBS_PER_SESSION",
    "DEFAULT_MAX_WAIT_SECONDS",
    "DEFAULT_RATE_PRECISION",
    "DEFAULT_RATE_SPEED",
    "DEFAULT_WAIT_SECONDS",
    "ENV_ALLOWED_DIRS",
    "ENV_LOG_LEVEL",
    "ENV_MAX_JOBS",
    "ENV_MAX_WAIT",
    "ENV_MCP_TOKEN",
    "ENV_OUTPUT_DIR",
    "ENV_RATE_PRECISION",
    "ENV_RATE_SPEED",
    "ENV_WAIT",
    "ServerSettings",
    "load_server_settings",
]

# Third-party resellers' list prices (HEYGEN_API.md); HeyGen's own vary by plan.
DEFAULT_RATE_SPEED = 0.033
DEFAULT_RATE_PRECISION = 0.067
DEFAULT_MAX_JOBS_PER_SESSION = 10
# Below 60 s: the usual MCP client request timeout, so a default wait never times the client out.
DEFAULT_WAIT_SECONDS = 45.0
DEFAULT_MAX_WAIT_SECONDS = 600.0

ENV_ALLOWED_DIRS = "HEYGEN_LIPSYNC_ALLOWED_DIRS"
ENV_OUTPUT_DIR = "HEYGEN_LIPSYNC_OUTPUT_DIR"
ENV_RATE_SPEED = "HEYGEN_LIPSYNC_RATE_SPEED"
ENV_RATE_PRECISION = "HEYGEN_LIPSYNC_RATE_PRECISION"
ENV_MAX_JOBS = "HEYGEN_LIPSYNC_MAX_JOBS_PER_SESSION"
ENV_WAIT = "HEYGEN_LIPSYNC_WAIT_SECONDS"
ENV_MAX_WAIT = "HEYGEN_LIPSYNC_MAX_WAIT_SECONDS"
ENV_MCP_TOKEN = "HEYGEN_LIPSYNC_MCP_TOKEN"  # noqa: S105 - the variable's name, not a secret
ENV_LOG_LEVEL = "HEYGEN_LIPSYNC_LOG_LEVEL"


@dataclass(frozen=True)
class ServerSettings:
    """What the MCP server needs beyond the library's settings. The token is left out of repr()."""

    allowed_dirs: tuple[Path, ...]
    output_dir: Path
    rate_speed: float = DEFAULT_RATE_SPEED
    rate_precision: float = DEFAULT_RATE_PRECISION
    max_jobs_per_session: int = DEFAULT_MAX_JOBS_PER_SESSION
    wait_seconds: float = DEFAULT_WAIT_SECONDS
    max_wait_seconds: float = DEFAULT_MAX_WAIT_SECONDS
    mcp_token: str | None = field(default=None, repr=False)
    log_level: str = "INFO"
    # First poll interval of wait_for_lipsync (doubling from there); tests shorten it.
    poll_interval: float = 2.0
    # False when allowed_dirs is only the working-directory default: a client's roots then replace it.
    allowed_dirs_configured: bool = True
    # Stateless HTTP: the server issues no session ids, so a client's Mcp-Session-Id header means nothing.
    stateless: bool = False

    def rate_for(self, mode: str | None) -> float:
        """USD per second of output for a mode (None means the API's default, speed)."""
        return self.rate_precision if mode == "precision" else self.rate_speed


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _number(env: Mapping[str, str], name: str, default: float, *, allow_zero: bool = False) -> float:
    raw = _clean(env.get(name))
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from None
    if value != value or value < 0 or (value == 0 and not allow_zero):
        raise ConfigurationError(f"{name} must be a {'non-negative' if allow_zero else 'positive'} number, got {raw!r}")
    return value


def _resolve_dir(raw: str | os.PathLike[str], what: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    resolved = path.resolve()
    if not resolved.is_dir():
        raise ConfigurationError(f"{what} {str(raw)!r} is not an existing directory")
    return resolved


def _default_dir() -> Path:
    """The working directory, unless it is the filesystem's root.

    Claude Desktop (among others) starts servers in ``/``: defaulting to it would let a model
    upload any file the user can read, ``~/.ssh`` included, to HeyGen.

    Raises:
        ConfigurationError: the working directory is a filesystem root.
    """
    cwd = Path.cwd().resolve()
    if cwd.parent == cwd:
        raise ConfigurationError(
            f"the working directory is {cwd}, the filesystem root, which is too broad to let tools read and "
            f"write: set {ENV_ALLOWED_DIRS} (or --allowed-dir) to the directory with the user's videos"
        )
    return cwd


def load_server_settings(
    *,
    allowed_dirs: Sequence[str | os.PathLike[str]] | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    max_jobs_per_session: int | None = None,
    log_level: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ServerSettings:
    """Resolve the server's settings: explicit argument > environment > default.

    Raises:
        ConfigurationError: a directory does not exist, the output directory is outside the
            allowed ones, none is set and the working directory is ``/``, or a number is malformed.
    """
    environ = os.environ if env is None else env
    if allowed_dirs:
        raw_dirs: list[str | os.PathLike[str]] = list(allowed_dirs)
    else:
        listed = _clean(environ.get(ENV_ALLOWED_DIRS))
        raw_dirs = [d for d in listed.split(os.pathsep) if d.strip()] if listed else [_default_dir()]
    dirs = tuple(dict.fromkeys(_resolve_dir(d, f"allowed directory ({ENV_ALLOWED_DIRS})") for d in raw_dirs))

    raw_out = output_dir if output_dir is not None else _clean(environ.get(ENV_OUTPUT_DIR))
    if raw_out is None:
        out = dirs[0]
    else:
        candidate = Path(raw_out).expanduser()
        if not candidate.is_absolute():
            candidate = dirs[0] / candidate
        out = candidate.resolve()
        if not any(out.is_relative_to(d) for d in dirs):
            raise ConfigurationError(
                f"output directory {str(raw_out)!r} ({ENV_OUTPUT_DIR}) must be inside an allowed directory: "
                + ", ".join(str(d) for d in dirs)
            )
        if out.exists() and not out.is_dir():
            raise ConfigurationError(f"output directory {str(raw_out)!r} ({ENV_OUTPUT_DIR}) is not a directory")

    if max_jobs_per_session is None:
        raw_jobs = _clean(environ.get(ENV_MAX_JOBS))
        try:
            jobs = DEFAULT_MAX_JOBS_PER_SESSION if raw_jobs is None else int(raw_jobs)
        except ValueError:
            raise ConfigurationError(f"{ENV_MAX_JOBS} must be a whole number, got {raw_jobs!r}") from None
    else:
        jobs = max_jobs_per_session
    if jobs < 0:
        raise ConfigurationError(f"{ENV_MAX_JOBS} must be 0 or more (0 forbids creating jobs), got {jobs}")

    wait = _number(environ, ENV_WAIT, DEFAULT_WAIT_SECONDS)
    max_wait = _number(environ, ENV_MAX_WAIT, DEFAULT_MAX_WAIT_SECONDS)
    level = (log_level or _clean(environ.get(ENV_LOG_LEVEL)) or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigurationError(f"log level must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {level!r}")
    return ServerSettings(
        allowed_dirs=dirs,
        output_dir=out,
        rate_speed=_number(environ, ENV_RATE_SPEED, DEFAULT_RATE_SPEED, allow_zero=True),
        rate_precision=_number(environ, ENV_RATE_PRECISION, DEFAULT_RATE_PRECISION, allow_zero=True),
        max_jobs_per_session=jobs,
        wait_seconds=min(wait, max_wait),
        max_wait_seconds=max_wait,
        mcp_token=_clean(environ.get(ENV_MCP_TOKEN)),
        log_level=level,
        allowed_dirs_configured=bool(allowed_dirs) or bool(_clean(environ.get(ENV_ALLOWED_DIRS))),
    )
