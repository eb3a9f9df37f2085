"""Presigned URLs: the sandbox's outputs and upload targets, usable without an API key until they expire.

A signature covers the URL's path and expiry only, never its host, so a URL stays valid
when the same data directory is served again on another address (an embedded sandbox
gets a new port on every start).
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from starlette.requests import Request

from heygen_lipsync.sandbox import clock
from heygen_lipsync.sandbox.config import SandboxConfig
from heygen_lipsync.sandbox.errors import ApiError

__all__ = ["Signer"]


class Signer:
    """Signs and checks presigned URLs with the store's secret."""

    def __init__(self, secret: bytes, config: SandboxConfig) -> None:
        self._secret = secret
        self._config = config  # read at each signing: `url_ttl_seconds` may change while serving

    def _sign(self, path: str, expires: int) -> str:
        return hmac.new(self._secret, f"{path}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]

    def presign(self, base: str, path: str) -> str:
        """A URL for `path` under `base` that works without auth for `url_ttl_seconds` from now."""
        expires = int(clock.now()) + self._config.url_ttl_seconds
        query = urlencode({"expires": expires, "signature": self._sign(path, expires)})
        return f"{base.rstrip('/')}{path}?{query}"

    def check(self, request: Request) -> None:
        """Accept a request only on a URL this sandbox presigned, before it expires.

        Raises:
            ApiError: 403 `forbidden` for a bad signature or an expired URL.
        """
        try:
            expires = int(request.query_params.get("expires", ""))
        except ValueError:
            expires = 0
        signature = request.query_params.get("signature", "")
        if not hmac.compare_digest(signature.encode(), self._sign(request.url.path, expires).encode()):
            raise ApiError(403, "forbidden", "The URL's signature is invalid.")
        if expires < clock.now():
            raise ApiError(403, "forbidden", "The presigned URL has expired; fetch the resource again for a fresh URL.")
