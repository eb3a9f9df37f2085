"""Settings, resolved in one place: explicit argument > environment > default.

Environment variables read (and nothing else):

| variable | meaning | default |
|---|---|---|
| ``HEYGEN_API_KEY`` | API key, sent as ``x-api-key`` | none |
| ``HEYGEN_BEARER_TOKEN`` | OAuth access token, sent as ``Authorization: Bearer`` (used when no API key) | none |
| ``HEYGEN_BASE_URL`` | API base URL | ``https://api.heygen.com`` |
| ``HEYGEN_LIPSYNC_TIMEOUT`` | time a read (GET) has to answer in full (each attempt), seconds | 30 |
| ``HEYGEN_LIPSYNC_WRITE_TIMEOUT`` | time a write (create, update, delete) has to answer in full, seconds | 120 |
| ``HEYGEN_LIPSYNC_UPLOAD_TIMEOUT`` | longest pause in an upload or download (each read or write), seconds | 600 |
| ``HEYGEN_LIPSYNC_REQUEST_DEADLINE`` | the most one request may take, all attempts included, seconds | 1800 |
| ``HEYGEN_LIPSYNC_MAX_RESPONSE_BYTES`` | largest API answer read, once decompressed, bytes | 4194304 (4 MiB) |
| ``HEYGEN_LIPSYNC_MAX_RETRIES`` | retries after the first attempt | 2 |
| ``HEYGEN_CONFIG_DIR`` | where HeyGen's own CLI keeps its login (``credentials``) | ``~/.heygen`` |

Credentials: an explicit argument, else ``HEYGEN_API_KEY`` / ``HEYGEN_BEARER_TOKEN``, else the
login of HeyGen's own CLI (``heygen auth login``; see ``heygen_login``).
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from heygen_lipsync.errors import ConfigurationError
from heygen_lipsync.heygen_login import ENV_CONFIG_DIR, credentials_path, read_login

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_REQUEST_DEADLINE",
    "DEFAULT_UPLOAD_TIMEOUT",
    "DEFAULT_WRITE_TIMEOUT",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_BEARER_TOKEN",
    "ENV_CONFIG_DIR",
    "ENV_MAX_RESPONSE_BYTES",
    "ENV_MAX_RETRIES",
    "ENV_REQUEST_DEADLINE",
    "ENV_TIMEOUT",
    "ENV_UPLOAD_TIMEOUT",
    "ENV_WRITE_TIMEOUT",
    "LOOPBACK_DEFAULT_KEY",
    "Settings",
    "is_loopback_host",
    "resolve_settings",
]

DEFAULT_BASE_URL = "https://api.heygen.com"
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_WRITE_TIMEOUT = 120.0
DEFAULT_UPLOAD_TIMEOUT = 600.0
DEFAULT_MAX_RETRIES = 2
# The backstop for any one request: a server that trickles its answer, or a transfer that
# crawls, ends here. Half an hour moves 1 GiB at under 5 Mbit/s.
DEFAULT_REQUEST_DEADLINE = 1800.0
# HeyGen's largest answer (a page of 100 jobs) is some hundred kilobytes: 4 MiB is generous,
# and stops a compressed answer that inflates to gigabytes.
DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024
# The sandbox's default key: used only when the base URL is a loopback address and no
# credential was given, so that a local sandbox works with no setup at all.
LOOPBACK_DEFAULT_KEY = "sandbox-key"

ENV_API_KEY = "HEYGEN_API_KEY"
ENV_BEARER_TOKEN = "HEYGEN_BEARER_TOKEN"  # noqa: S105 - the variable's name, not a secret
ENV_BASE_URL = "HEYGEN_BASE_URL"
ENV_TIMEOUT = "HEYGEN_LIPSYNC_TIMEOUT"
ENV_WRITE_TIMEOUT = "HEYGEN_LIPSYNC_WRITE_TIMEOUT"
ENV_UPLOAD_TIMEOUT = "HEYGEN_LIPSYNC_UPLOAD_TIMEOUT"
ENV_MAX_RETRIES = "HEYGEN_LIPSYNC_MAX_RETRIES"
ENV_REQUEST_DEADLINE = "HEYGEN_LIPSYNC_REQUEST_DEADLINE"
ENV_MAX_RESPONSE_BYTES = "HEYGEN_LIPSYNC_MAX_RESPONSE_BYTES"


def is_loopback_host(host: str | None) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """Everything the client needs to talk to the API. Secrets are left out of repr()."""

    api_key: str | None = field(default=None, repr=False)
    bearer_token: str | None = field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: float = DEFAULT_READ_TIMEOUT
    write_timeout: float = DEFAULT_WRITE_TIMEOUT
    upload_timeout: float = DEFAULT_UPLOAD_TIMEOUT
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    request_deadline: float = DEFAULT_REQUEST_DEADLINE
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    # HeyGen's CLI login file: where the credential came from, or where none was found.
    credentials_file: Path | None = None

    @property
    def has_credentials(self) -> bool:
        """True when an API key or a bearer token is set."""
        return bool(self.api_key or self.bearer_token)

    @property
    def is_loopback(self) -> bool:
        """True when the base URL points at this machine (e.g. the sandbox)."""
        return is_loopback_host(urlsplit(self.base_url).hostname)

    @property
    def auth_description(self) -> str:
        """Which credential is in use, without revealing it (for status lines and logs)."""
        if self.api_key:
            return "api key"
        if self.bearer_token:
            return "bearer token"
        return "none"

    def auth_headers(self) -> dict[str, str]:
        """The headers that authenticate a request to the API.

        Raises:
            ConfigurationError: no API key or token is set and the base URL is not a loopback address.
        """
        if self.api_key:
            return {"x-api-key": self.api_key}
        if self.bearer_token:
            return {"Authorization": f"Bearer {self.bearer_token}"}
        if self.is_loopback:
            return {"x-api-key": LOOPBACK_DEFAULT_KEY}
        login = self.credentials_file or credentials_path()
        raise ConfigurationError(
            f"no HeyGen credentials: set {ENV_API_KEY} to an API key from HeyGen's dashboard (Settings > API), "
            f"or log in with HeyGen's CLI (`heygen auth login`), which saves it in {login}; "
            f"{ENV_BEARER_TOKEN} takes an OAuth token; the local sandbox needs none (--sandbox)"
        )


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


# What an HTTP header value can carry unmangled: printable ASCII, no space. A key pasted with a
# newline inside would otherwise reach httpx, whose "Illegal header value" error repeats it.
_CREDENTIAL = re.compile(r"[\x21-\x7e]+")


def _credential(value: str | None, name: str) -> str | None:
    """A credential, surrounding whitespace removed; checked here so that no later error can echo it.

    Raises:
        ConfigurationError: it holds whitespace, control or non-ASCII characters (the message
            names the setting, never the value).
    """
    cleaned = _clean(value)
    if cleaned is not None and not _CREDENTIAL.fullmatch(cleaned):
        raise ConfigurationError(
            f"{name} is malformed: a credential is printable ASCII with no whitespace or control characters "
            f"inside ({len(cleaned)} characters given, value not shown); copy it again from HeyGen's settings"
        )
    return cleaned


def _float_setting(explicit: float | None, env: Mapping[str, str], name: str, default: float) -> float:
    if explicit is not None:
        value = float(explicit)
        source = "argument"
    else:
        raw = _clean(env.get(name))
        if raw is None:
            return default
        source = name
        try:
            value = float(raw)
        except ValueError:
            raise ConfigurationError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not value > 0:
        raise ConfigurationError(f"{source} must be a positive number of seconds, got {value!r}")
    return value


def _int_setting(
    explicit: int | None, env: Mapping[str, str], name: str, default: int, *, argument: str = "max_retries"
) -> int:
    if explicit is not None:
        value = int(explicit)
        source = argument
    else:
        raw = _clean(env.get(name))
        if raw is None:
            return default
        source = name
        try:
            value = int(raw)
        except ValueError:
            raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ConfigurationError(f"{source} must be 0 or more, got {value}")
    return value


# Below this, not even an error answer fits: a setting this small is a mistake.
_MIN_RESPONSE_BYTES = 1024


def _bytes_setting(explicit: int | None, env: Mapping[str, str]) -> int:
    value = _int_setting(
        explicit, env, ENV_MAX_RESPONSE_BYTES, DEFAULT_MAX_RESPONSE_BYTES, argument="max_response_bytes"
    )
    if value < _MIN_RESPONSE_BYTES:
        source = "max_response_bytes" if explicit is not None else ENV_MAX_RESPONSE_BYTES
        raise ConfigurationError(
            f"{source} must be at least {_MIN_RESPONSE_BYTES} bytes, got {value} "
            f"(the default, {DEFAULT_MAX_RESPONSE_BYTES}, fits every answer HeyGen sends)"
        )
    return value


def resolve_settings(
    api_key: str | None = None,
    bearer_token: str | None = None,
    base_url: str | None = None,
    *,
    timeout: float | None = None,
    write_timeout: float | None = None,
    upload_timeout: float | None = None,
    max_retries: int | None = None,
    request_deadline: float | None = None,
    max_response_bytes: int | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings: explicit argument > environment > default.

    A missing credential is not an error here (see ``Settings.auth_headers``) so that
    front-ends can show settings before a request is made.

    Raises:
        ConfigurationError: a value is malformed (bad base URL, non-numeric timeout, negative retries),
            or HeyGen's login file is read (no key or token given otherwise) and is blank or malformed.
    """
    environ = os.environ if env is None else env
    key = _credential(api_key, "api_key") or _credential(environ.get(ENV_API_KEY), ENV_API_KEY)
    token = _credential(bearer_token, "bearer_token") or _credential(environ.get(ENV_BEARER_TOKEN), ENV_BEARER_TOKEN)
    login_file = credentials_path(environ)
    if key is None and token is None:
        # Last: HeyGen's own CLI login, so a `heygen auth login` user needs no further set-up.
        login = read_login(environ)
        if login is not None:
            key = _credential(login.api_key, str(login_file))
            token = _credential(login.access_token, str(login_file))
    url = _clean(base_url) or _clean(environ.get(ENV_BASE_URL)) or DEFAULT_BASE_URL
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"base URL must be an http(s) URL such as {DEFAULT_BASE_URL}, got {url!r}")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigurationError(f"base URL must use https (plain http only for localhost), got {url!r}")
    return Settings(
        api_key=key,
        bearer_token=token,
        base_url=url.rstrip("/"),
        timeout=_float_setting(timeout, environ, ENV_TIMEOUT, DEFAULT_READ_TIMEOUT),
        write_timeout=_float_setting(write_timeout, environ, ENV_WRITE_TIMEOUT, DEFAULT_WRITE_TIMEOUT),
        upload_timeout=_float_setting(upload_timeout, environ, ENV_UPLOAD_TIMEOUT, DEFAULT_UPLOAD_TIMEOUT),
        max_retries=_int_setting(max_retries, environ, ENV_MAX_RETRIES, DEFAULT_MAX_RETRIES),
        request_deadline=_float_setting(request_deadline, environ, ENV_REQUEST_DEADLINE, DEFAULT_REQUEST_DEADLINE),
        max_response_bytes=_bytes_setting(max_response_bytes, environ),
        credentials_file=login_file,
    )
