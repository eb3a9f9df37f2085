"""Settings of the sandbox: where it keeps its data, how long jobs take, which faults it injects.

`SandboxConfig` is a plain mutable dataclass on purpose: an in-process test may swap
`config.faults` between requests and the running app sees the change at once (the
admin endpoint `PUT /_sandbox/faults` does the same for a sandbox in another process).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

__all__ = [
    "DATA_DIR_ENV",
    "DEFAULT_SANDBOX_KEY",
    "FaultConfig",
    "SandboxConfig",
    "default_data_dir",
]

#: The API key the sandbox accepts unless told otherwise. It guards nothing: the
#: sandbox listens on loopback and holds no real data. Documented for local use.
DEFAULT_SANDBOX_KEY = "sandbox-key"

#: Environment variable naming the sandbox's data directory.
DATA_DIR_ENV = "HEYGEN_LIPSYNC_SANDBOX_DIR"

_ENV_PREFIX = "HEYGEN_LIPSYNC_SANDBOX_"

MIB = 1024 * 1024


def default_data_dir() -> Path:
    """The data directory used by `heygen-lipsync sandbox serve` when none is given.

    `HEYGEN_LIPSYNC_SANDBOX_DIR` when set, else the platform's user data directory
    (e.g. `~/.local/share/heygen-lipsync/sandbox` on Linux).
    """
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("heygen-lipsync", appauthor=False)) / "sandbox"


@dataclass(frozen=True)
class FaultConfig:
    """Faults injected into `/v3/` responses, drawn from a random generator seeded by `seed`.

    Each rate is a probability in [0, 1] applied per request. For a given seed the same
    sequence of requests meets the same faults, so a failing reliability test replays.

    - `error_rate`: answer 500 `internal_error` without doing the work.
    - `drop_rate`: close the connection without doing the work and without a response.
    - `slow_rate` / `slow_seconds`: wait `slow_seconds` before handling the request.
    - `rate_limit_rate` / `rate_limit_burst` / `rate_limit_retry_after`: start a burst of
      `rate_limit_burst` consecutive 429 `rate_limit_exceeded` answers carrying
      `Retry-After: rate_limit_retry_after`.
    - `commit_then_drop_rate`: for POST requests, do the work (the job or asset exists and
      its idempotency record is stored) and then close the connection, losing the response.
    - `paths`: path prefixes the faults apply to.
    """

    error_rate: float = 0.0
    drop_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 2.0
    rate_limit_rate: float = 0.0
    rate_limit_burst: int = 3
    rate_limit_retry_after: int = 1
    commit_then_drop_rate: float = 0.0
    seed: int = 0
    paths: tuple[str, ...] = ("/v3/",)

    def __post_init__(self) -> None:
        for name in ("error_rate", "drop_rate", "slow_rate", "rate_limit_rate", "commit_then_drop_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
        if self.slow_seconds < 0 or self.rate_limit_burst < 1 or self.rate_limit_retry_after < 0:
            raise ValueError("slow_seconds and rate_limit_retry_after must be >= 0, rate_limit_burst >= 1")

    @property
    def active(self) -> bool:
        """True when any fault can happen."""
        return any((self.error_rate, self.drop_rate, self.slow_rate, self.rate_limit_rate, self.commit_then_drop_rate))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as served by `GET /_sandbox/faults`."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["paths"] = list(self.paths)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultConfig:
        """Build from JSON (`PUT /_sandbox/faults`).

        Raises:
            ValueError: unknown keys or out-of-range values.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(unknown)}")
        kwargs = dict(data)
        try:
            if "paths" in kwargs:
                kwargs["paths"] = tuple(str(prefix) for prefix in kwargs["paths"])
            return cls(**kwargs)
        except TypeError as exc:  # e.g. "error_rate": "high"
            raise ValueError(f"invalid fault settings: {exc}") from None


@dataclass
class SandboxConfig:
    """How a sandbox behaves.

    - `data_dir`: SQLite store and files live here and survive restarts; None keeps
      everything in memory and a temporary directory (gone when the app is closed).
    - `api_key`: the key accepted as `x-api-key` or `Authorization: Bearer`.
    - `pending_seconds`, `running_seconds`: how long a job stays in each state.
    - `max_concurrent_jobs`: unfinished jobs allowed at once; over it, creates get 429
      and batch items wait, queued, for a free slot.
    - `max_upload_bytes`: multipart upload limit (413 above it).
    - `max_direct_upload_bytes`: largest `size_bytes` a direct upload may declare.
    - `url_ttl_seconds`: lifetime of presigned output and upload URLs.
    - `idempotency_ttl_seconds`: how long an Idempotency-Key replays its first response.
    - `public_base_url`: base of URLs the sandbox hands out; default: the request's own.
    - `faults`: injected faults (see `FaultConfig`).
    - `asset_processing_seconds`: how long a completed direct upload stays `processing`
      (not yet usable in a create), as a large upload may at HeyGen.
    - `put_visible_seconds`: how long a direct upload's PUT stays invisible to `complete`,
      which answers 409 `conflict` meanwhile (object storage's delay, which HeyGen's own
      upload code retries).
    - `wallet_currency`, `wallet_balance`: the prepaid wallet `GET /v3/users/me` shows;
      completed jobs draw it down by `speed_rate` / `precision_rate` per second of
      output (HeyGen's pay-as-you-go USD rates by default); failed jobs are free.
    """

    data_dir: Path | None = None
    api_key: str = DEFAULT_SANDBOX_KEY
    pending_seconds: float = 1.0
    running_seconds: float = 3.0
    max_concurrent_jobs: int = 10
    max_upload_bytes: int = 32 * MIB
    max_direct_upload_bytes: int = 5 * 1024 * MIB
    url_ttl_seconds: int = 3600
    idempotency_ttl_seconds: int = 24 * 3600
    public_base_url: str | None = None
    faults: FaultConfig = field(default_factory=FaultConfig)
    asset_processing_seconds: float = 0.5
    put_visible_seconds: float = 0.0
    wallet_currency: str = "usd"
    wallet_balance: float = 100.0
    speed_rate: float = 0.0333
    precision_rate: float = 0.0667

    def __post_init__(self) -> None:
        # Caught here, not as a 500 on every create (no slot can ever free with a cap of 0).
        for name in (
            "pending_seconds",
            "running_seconds",
            "asset_processing_seconds",
            "put_visible_seconds",
            "speed_rate",
            "precision_rate",
        ):
            value = getattr(self, name)
            if not 0 <= value < float("inf"):
                raise ValueError(f"{name} ({_ENV_PREFIX}{name.upper()}) must be 0 or more seconds, got {value!r}")
        if isinstance(self.max_concurrent_jobs, bool) or self.max_concurrent_jobs < 1:
            raise ValueError(
                f"max_concurrent_jobs ({_ENV_PREFIX}MAX_CONCURRENT_JOBS) must be at least 1, "
                f"got {self.max_concurrent_jobs!r}"
            )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> SandboxConfig:
        """Settings for a served sandbox: explicit overrides > environment > defaults.

        Environment: `HEYGEN_LIPSYNC_SANDBOX_DIR` (data directory; default: the platform's
        user data directory), `HEYGEN_LIPSYNC_SANDBOX_KEY`, `..._PENDING_SECONDS`,
        `..._RUNNING_SECONDS`, `..._MAX_CONCURRENT_JOBS`, `..._ASSET_PROCESSING_SECONDS`,
        `..._WALLET_BALANCE`, `..._FAULTS` (JSON of `FaultConfig`).

        Raises:
            ValueError: an environment value that does not parse.
        """
        import json

        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        data_dir = env.get(DATA_DIR_ENV)
        values["data_dir"] = Path(data_dir).expanduser() if data_dir else None
        if "data_dir" not in overrides and values["data_dir"] is None:
            values["data_dir"] = default_data_dir()
        if env.get(_ENV_PREFIX + "KEY"):
            values["api_key"] = env[_ENV_PREFIX + "KEY"]
        numbers: tuple[tuple[str, type[float] | type[int]], ...] = (
            ("pending_seconds", float),
            ("running_seconds", float),
            ("max_concurrent_jobs", int),
            ("asset_processing_seconds", float),
            ("wallet_balance", float),
        )
        for name, kind in numbers:
            raw = env.get(_ENV_PREFIX + name.upper())
            if raw:
                try:
                    values[name] = kind(raw)
                except ValueError:
                    raise ValueError(f"{_ENV_PREFIX}{name.upper()}={raw!r} is not a number") from None
        raw_faults = env.get(_ENV_PREFIX + "FAULTS")
        if raw_faults:
            values["faults"] = FaultConfig.from_dict(json.loads(raw_faults))
        values.update(overrides)
        return cls(**values)
