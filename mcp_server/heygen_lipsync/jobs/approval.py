"""Approvals: who said yes to which jobs, and the sealed tokens that carry a yes across calls and processes.

A token covers exactly the jobs it was issued for: their content fingerprints (which hold
every request field and option that changes what is bought, and the content of every local
file, never its path), their count and the estimate shown. It expires, and is single-use:
the spend authority records its nonce in the same store transaction that records the jobs.
It is sealed with an HMAC of a secret, so no client can forge or widen it, and every process
or replica holding the secret verifies it:

``HEYGEN_LIPSYNC_APPROVAL_SECRET`` when set (share it between replicas), else a secret kept
in the install's job store (so every process of one install agrees), else one per process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from heygen_lipsync.errors import ApprovalError

if TYPE_CHECKING:
    from heygen_lipsync.jobs.plan import Quote
    from heygen_lipsync.store import Ledger

__all__ = [
    "DEFAULT_TOKEN_SECONDS",
    "ENV_APPROVAL_SECRET",
    "TOKEN_PREFIX",
    "Approval",
    "ApprovalSeal",
    "Approver",
    "approve_all",
]

ENV_APPROVAL_SECRET = "HEYGEN_LIPSYNC_APPROVAL_SECRET"  # noqa: S105 - a variable name
TOKEN_PREFIX = "apv1."  # noqa: S105 - a format marker
#: How long a preview's approval token stays good.
DEFAULT_TOKEN_SECONDS = 15 * 60.0
_SECRET_ROW = "approval_secret"  # noqa: S105 - the name of the row that keeps it, not a secret


@dataclass(frozen=True)
class Approval:
    """A yes for a quote's new jobs; ``nonce`` (a token's) is consumed when they are recorded, so it pays once.

    ``by`` says who approved: ``policy`` (a library caller, no question), ``user`` (a terminal or
    elicitation answer), ``token`` (a sealed token from a preview the user saw).
    """

    by: str
    fingerprints: tuple[str, ...] = ()
    nonce: str | None = None


class Approver(Protocol):
    """Asks whoever must say yes to a quote's new jobs (a person, a policy); returns the approval or raises.

    An async function, or a plain one (``LipsyncClient`` callers): the client awaits what it returns.

    Raises (implementations):
        SpendError: declined or not allowed (a front-end's own subclass or ApprovalError).
    """

    def __call__(self, quote: Quote) -> Awaitable[Approval] | Approval: ...


async def approve_all(quote: Quote) -> Approval:
    """The library's default policy: no question (daily caps still apply)."""
    return Approval(by="policy", fingerprints=quote.new_fingerprints)


def _digest(fingerprints: Sequence[str]) -> str:
    """The jobs a token covers, as one digest (a token stays short for any number of jobs)."""
    return hashlib.sha256("\n".join(sorted(fingerprints)).encode()).hexdigest()[:40]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ApprovalSeal:
    """Issues and verifies sealed approval tokens with one secret."""

    def __init__(self, secret: bytes, *, lifetime: float = DEFAULT_TOKEN_SECONDS) -> None:
        self._secret = secret
        self.lifetime = lifetime

    @classmethod
    def for_store(cls, ledger: Ledger | None) -> ApprovalSeal:
        """The seal of this install: the configured secret, else the store's, else this process's own."""
        configured = (os.environ.get(ENV_APPROVAL_SECRET) or "").strip()
        if configured:
            return cls(configured.encode())
        stored = ledger.install_value(_SECRET_ROW, lambda: secrets.token_hex(32)) if ledger is not None else None
        return cls((stored or _process_secret()).encode())

    def issue(self, fingerprints: Sequence[str], *, estimate_usd: float | None, now: float | None = None) -> str:
        """A token for exactly these jobs (fingerprints, count) at this estimate."""
        payload = {
            "f": _digest(fingerprints),
            "n": len(fingerprints),
            "usd": None if estimate_usd is None else round(estimate_usd, 4),
            "exp": int((time.time() if now is None else now) + self.lifetime),
            "nonce": secrets.token_hex(12),
        }
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        return f"{TOKEN_PREFIX}{body}.{_b64(self._mac(body))}"

    def verify(self, token: str, fingerprints: Sequence[str], *, now: float | None = None) -> Approval:
        """The approval a token carries for exactly these jobs.

        Raises:
            ApprovalError: not a token of this server (or of a replica with the same secret),
                expired, or issued for other jobs (other content, options or count).
        """
        payload = self._open(token)
        expires = payload.get("exp")
        if not isinstance(expires, int | float) or expires < (time.time() if now is None else now):
            raise ApprovalError(
                "that approval_token has expired; nothing was sent. Call again without it for a new preview, "
                "and ask the user again",
                code="approval_expired",
            )
        if payload.get("f") != _digest(fingerprints) or payload.get("n") != len(fingerprints):
            raise ApprovalError(
                "that approval_token was issued for other jobs (other files' content, options or number of jobs) "
                "than these; nothing was sent. Call again without it for a preview of these jobs, and ask the user",
                code="approval_mismatch",
            )
        return Approval(by="token", fingerprints=tuple(fingerprints), nonce=str(payload["nonce"]))

    def _open(self, token: str) -> dict[str, object]:
        try:
            body, mac = token.removeprefix(TOKEN_PREFIX).split(".")
            good = token.startswith(TOKEN_PREFIX) and hmac.compare_digest(_unb64(mac), self._mac(body))
            payload = json.loads(_unb64(body)) if good else None
        except (ValueError, TypeError):
            payload = None
        if not isinstance(payload, dict) or "nonce" not in payload:
            raise ApprovalError(
                "that approval_token was not issued by this server (or one sharing its "
                f"{ENV_APPROVAL_SECRET}); nothing was sent. Call again without it for a preview, and ask the user",
                code="approval_invalid",
            )
        return payload

    def _mac(self, body: str) -> bytes:
        return hmac.new(self._secret, body.encode(), hashlib.sha256).digest()


_PROCESS_SECRET: list[str] = []


def _process_secret() -> str:
    if not _PROCESS_SECRET:
        _PROCESS_SECRET.append(secrets.token_hex(32))
    return _PROCESS_SECRET[0]
