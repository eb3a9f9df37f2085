"""A create's fingerprint and the Idempotency-Key derived from it.

The fingerprint is a SHA-256 of the create body in canonical JSON, with each local file
replaced by the SHA-256 of its content, plus the base URL the create goes to. Two creates
with the same fingerprint ask for the same job, on any machine: the derived key is the
same, so HeyGen replays the first answer within its 24-hour window even when two replicas
keep separate ledgers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from heygen_lipsync.media.files import sha256_file
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.sources import AssetSource, FileSource

__all__ = ["FingerprintedRequest", "derived_key", "fingerprint_batch", "fingerprint_of", "fingerprint_request"]


def fingerprint_of(body: Mapping[str, Any], base_url: str) -> str:
    """The hex SHA-256 of ``body`` (canonical JSON) and ``base_url``."""
    canonical = json.dumps({"base_url": base_url, "body": body}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def derived_key(fingerprint: str, generation: int = 0) -> str:
    """The Idempotency-Key of a create with this fingerprint.

    ``generation`` counts the earlier identical creates that ended in a failed job: each
    failure moves to a new key, so HeyGen does not replay the failed job's answer.
    """
    return f"hl-fp-{fingerprint[:48]}" + (f"-{generation}" if generation else "")


class FingerprintedRequest:
    """A request with its local files' content hashes, the body they stand for, and its inputs as given."""

    def __init__(self, request: LipsyncRequest) -> None:
        self.request = request
        self.hashes: dict[str, str] = {name: sha256_file(source.path) for name, source in request.file_sources.items()}
        placeholders = {name: AssetSource(f"sha256:{digest}") for name, digest in self.hashes.items()}
        self.body = request.with_sources(**placeholders).to_api_dict() if placeholders else request.to_api_dict()
        self.inputs: dict[str, Any] = {
            name: str(value.path) if isinstance(value, FileSource) else _plain(value) for name, value in request.items()
        }


def _plain(value: Any) -> Any:
    to_api = getattr(value, "to_api_dict", None)
    return to_api() if callable(to_api) else value


def fingerprint_request(request: LipsyncRequest, base_url: str) -> tuple[str, FingerprintedRequest]:
    """The fingerprint of one create, and the hashed request it was computed from.

    Raises:
        OSError: a local file cannot be read.
    """
    hashed = FingerprintedRequest(request)
    return fingerprint_of({"lipsync": hashed.body}, base_url), hashed


def fingerprint_batch(
    requests: Sequence[LipsyncRequest], base_url: str, *, title: str | None, callback_url: str | None
) -> tuple[str, list[FingerprintedRequest]]:
    """The fingerprint of one batch create, and each item's hashed request.

    Raises:
        OSError: a local file cannot be read.
    """
    hashed = [FingerprintedRequest(r) for r in requests]
    body = {"lipsyncs": [h.body for h in hashed], "title": title, "callback_url": callback_url}
    return fingerprint_of({"batch": body}, base_url), hashed
