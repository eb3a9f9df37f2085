"""HeyGen's own CLI login (``~/.heygen/credentials``), read so a ``heygen auth login`` user is set up.

HeyGen's CLIs share one file, mode 0600, in ``~/.heygen`` (``HEYGEN_CONFIG_DIR`` moves the
directory): a JSON object ``{"api_key": "...", "oauth": {...}}`` or, in the legacy form, one
line holding the key. A missing file means "no login"; a file that is there but blank or
unreadable as either form is an error, so a broken login is never mistaken for no login.
Only the file's name ever reaches a message, never what it holds.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from heygen_lipsync.errors import ConfigurationError

__all__ = ["ENV_CONFIG_DIR", "HeyGenLogin", "credentials_path", "read_login"]

ENV_CONFIG_DIR = "HEYGEN_CONFIG_DIR"
_FILE_NAME = "credentials"


@dataclass(frozen=True)
class HeyGenLogin:
    """What the login file holds: an API key, or an OAuth access token. Secrets are left out of repr()."""

    path: Path
    api_key: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)


def credentials_path(env: Mapping[str, str] | None = None) -> Path:
    """Where HeyGen's CLI keeps its login: ``$HEYGEN_CONFIG_DIR/credentials``, else ``~/.heygen/credentials``."""
    environ = os.environ if env is None else env
    directory = (environ.get(ENV_CONFIG_DIR) or "").strip()
    return (Path(directory).expanduser() if directory else _default_dir()) / _FILE_NAME


def _default_dir() -> Path:
    return Path.home() / ".heygen"


def read_login(env: Mapping[str, str] | None = None) -> HeyGenLogin | None:
    """The login in HeyGen's credentials file, or None when there is no such file.

    Raises:
        ConfigurationError: the file exists but cannot be read, is blank, or is neither a JSON
            object with an ``api_key`` (or ``oauth.access_token``) nor one line holding a key.
    """
    path = credentials_path(env)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise _broken(path, f"cannot be read ({reason})") from None
    text = text.strip()
    if not text:
        raise _broken(path, "is empty")
    if text.startswith("{"):
        return _from_json(path, text)
    if len(text.splitlines()) != 1:
        raise _broken(path, "is neither JSON nor one line holding an API key")
    return HeyGenLogin(path, api_key=text)


def _from_json(path: Path, text: str) -> HeyGenLogin:
    try:
        data = json.loads(text)
    except ValueError:
        raise _broken(path, "is not valid JSON") from None
    if not isinstance(data, dict):
        raise _broken(path, "is not a JSON object")
    key = _text(data.get("api_key"))
    oauth = data.get("oauth")
    token = _text(oauth.get("access_token")) if isinstance(oauth, dict) else None
    if key is None and token is None:
        raise _broken(path, 'holds neither "api_key" nor "oauth.access_token"')
    return HeyGenLogin(path, api_key=key, access_token=token)


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _broken(path: Path, what: str) -> ConfigurationError:
    return ConfigurationError(
        f"HeyGen's login file {path} {what}: log in again with `heygen auth login`, "
        "delete the file, or set HEYGEN_API_KEY (it takes precedence)"
    )
