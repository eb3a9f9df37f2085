"""The one error tree of heygen_lipsync, and the one function that maps responses onto it.

```
HeyGenError(Exception)                       base; .message, .code; str(e) is one actionable line
├── ConfigurationError                       e.g. no API key
├── SpendError                               a paid job refused before anything was sent
│   ├── DailyCapError                        HEYGEN_LIPSYNC_MAX_JOBS/SPEND_PER_DAY would be passed
│   ├── BalanceTooLowError                   the estimate is above the account's balance
│   ├── ApprovalError                        an approval token that is forged, expired, used or for other jobs
│   └── StoreUnavailableError                a cap or approval needs the job store, which cannot be trusted now
├── SyncClientInAsyncContextError            a LipsyncClient (sync) method called inside a running event loop
├── ValidationError(HeyGenError, ValueError) local, raised before any request; .field
├── APIError                                 came back from, or failed talking to, the API; .request_id
│   ├── APIConnectionError                   network failure after retries
│   │   └── APITimeoutError
│   └── APIStatusError                       non-2xx; .status_code .code .message .param .doc_url .retry_after
│       ├── BadRequestError                  400, 413, 422 (and other 4xx without a family)
│       ├── AuthenticationError              401
│       ├── InsufficientCreditError          402
│       ├── PermissionDeniedError            403
│       ├── NotFoundError                    404
│       ├── ConflictError                    409
│       ├── RateLimitError                   429
│       └── ServerError                      5xx
├── JobFailedError                           .lipsync_id .failure_message .lipsync
├── WaitTimeoutError                         .lipsync_id .last_status .elapsed
├── DownloadError                            expired presigned URL, destination exists, short read
└── CampaignStoppedError                     a campaign's report could not be written (a full disk): rerun to resume
```

Every error has a stable ``.code`` a front-end can switch on: HeyGen's own code, raw, for
API status errors (unknown codes are kept as they are), otherwise one of
``validation_error``, ``configuration_error``, ``connection_error``, ``timeout``,
``job_failed``, ``wait_timeout``, ``download_error``.

Messages never contain a secret: they are built from HeyGen's error body, the status and
the request id, never from request headers.

``HeyGenError.to_dict()`` is an error's JSON form for every front-end (the CLI's
``--json`` errors, the MCP tools' error objects); ``wait_timeout_message`` words the
wait-timeout message, with each front-end's own way to resume.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # httpx is only needed by the mapping functions, which receive httpx objects (so it is
    # loaded by then); front-ends import this module at start-up and should not pay for it.

    from heygen_lipsync.models import Lipsync

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "ApprovalError",
    "AuthenticationError",
    "BadRequestError",
    "BalanceTooLowError",
    "CampaignStoppedError",
    "ConfigurationError",
    "ConflictError",
    "DailyCapError",
    "DownloadError",
    "HeyGenError",
    "InsufficientCreditError",
    "JobFailedError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "SpendError",
    "StoreUnavailableError",
    "SyncClientInAsyncContextError",
    "ValidationError",
    "WaitTimeoutError",
    "wait_timeout_message",
]


class HeyGenError(Exception):
    """Base of every error this library raises."""

    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def to_dict(self, *, secrets: Iterable[str | None] = ()) -> dict[str, Any]:
        """The error's JSON form: ``type``, ``code``, ``message`` and whichever of these apply.

        ``param`` (the field at fault), ``status_code``, ``doc_url``, ``retry_after``
        (seconds), ``request_id``, ``idempotency_key`` with ``outcome_unknown: true`` (a
        create that may have gone through: retry with that key only), ``lipsync_id``,
        ``failure_message``, ``last_status``, ``elapsed`` and ``pending_ids``. ``message``
        is the bare message (``str(error)`` adds the hints); every string is passed through
        ``redact`` with ``secrets`` and the environment's secrets. Values are None when
        unknown, so each front-end drops or keeps them as it likes.

        Raises:
            Nothing.
        """
        from heygen_lipsync.redaction import redact

        secrets = list(secrets)
        body: dict[str, Any] = {"type": type(self).__name__, "code": self.code, "message": self.message}
        body.update(self._details())
        return {k: redact(v, secrets) if isinstance(v, str) else v for k, v in body.items()}

    def _details(self) -> dict[str, Any]:
        return {}


class ConfigurationError(HeyGenError):
    """The library is not configured well enough to make a request (e.g. no API key)."""

    code = "configuration_error"


class SpendError(HeyGenError):
    """A paid job was refused before anything was sent (a cap, the balance, the approval or the store)."""

    code = "spend_refused"


class DailyCapError(SpendError):
    """A daily cap (``HEYGEN_LIPSYNC_MAX_JOBS_PER_DAY`` / ``..._SPEND_PER_DAY``) would be passed; nothing was sent."""

    code = "daily_cap"


class BalanceTooLowError(SpendError):
    """The estimate is above the account's balance: refused before anything was sent."""

    code = "balance_too_low"

    def __init__(self, estimate: float, balance: Any) -> None:
        super().__init__(
            f"this would cost about ${estimate:.2f} but the HeyGen balance is {balance.describe()}; "
            "nothing was sent: add credit or send fewer or shorter jobs"
        )
        self.estimate = estimate
        self.balance = balance


class ApprovalError(SpendError):
    """An approval that cannot pay for these jobs: forged, expired, already used, or issued for other jobs."""

    code = "approval_invalid"

    def _details(self) -> dict[str, Any]:
        return {"param": "approval_token"}


class StoreUnavailableError(SpendError):
    """A cap or an approval needs the job store, and it cannot be trusted now (locked, corrupt, read-only, full)."""

    code = "store_unavailable"


class SyncClientInAsyncContextError(HeyGenError, RuntimeError):
    """A ``LipsyncClient`` method was called from a running event loop; use ``AsyncLipsyncClient``."""

    code = "sync_in_async"


class ValidationError(HeyGenError, ValueError):
    """A local check failed before any request was sent; ``.field`` names the offending input."""

    code = "validation_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        # The bare reason, without the field prefix, for front-ends that show the field separately.
        self.reason = message

    def _details(self) -> dict[str, Any]:
        return {"param": self.field}


class APIError(HeyGenError):
    """Anything that came back from, or failed talking to, the API.

    ``idempotency_key`` is set when a create (lipsync, batch) failed with an unknown outcome
    (network failure, 5xx, or the first attempt still in progress after retries): the job
    may exist, and retrying with this key is the way to never make a second one.
    """

    def __init__(self, message: str, *, code: str | None = None, request_id: str | None = None) -> None:
        super().__init__(message, code=code)
        self.request_id = request_id
        self.idempotency_key: str | None = None

    def __str__(self) -> str:
        return self.message + self._retry_hint()

    def _details(self) -> dict[str, Any]:
        details: dict[str, Any] = {"request_id": self.request_id}
        if self.idempotency_key:
            details.update(idempotency_key=self.idempotency_key, outcome_unknown=True)
        return details

    def _retry_hint(self) -> str:
        if not self.idempotency_key:
            return ""
        return (
            # Each front-end words how to pass the key (the CLI: --idempotency-key).
            f"; the create may have gone through: retry with idempotency_key={self.idempotency_key} "
            "so it cannot make a second job"
        )


class APIConnectionError(APIError):
    """The API could not be reached (after retries)."""

    code = "connection_error"


class APITimeoutError(APIConnectionError):
    """The API did not answer in time (after retries)."""

    code = "timeout"


class APIStatusError(APIError):
    """The API answered with a non-2xx status."""

    code = "api_error"

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        param: str | None = None,
        doc_url: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message, code=code, request_id=request_id)
        self.status_code = status_code
        self.param = param
        self.doc_url = doc_url
        self.retry_after = retry_after
        # The decoded response body (dict, or text when it was not JSON), for debugging.
        self.body = body

    def __str__(self) -> str:
        parts = [f"{self.status_code} {self.code}: {self.message}"]
        if self.param:
            parts.append(f"(param: {self.param})")
        hint = _HINTS.get(type(self))
        if hint:
            parts.append(f"- {hint}")
        if self.retry_after is not None:
            parts.append(f"- retry after {self.retry_after:g}s")
        if self.doc_url:
            parts.append(f"- see {self.doc_url}")
        if self.request_id:
            parts.append(f"[request id {self.request_id}]")
        return " ".join(parts) + self._retry_hint()

    def _details(self) -> dict[str, Any]:
        return {
            "status_code": self.status_code,
            "param": self.param,
            "doc_url": self.doc_url,
            "retry_after": self.retry_after,
            **super()._details(),
        }

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class BadRequestError(APIStatusError):
    """400, 413, 422: the request was rejected; fix the named parameter."""


class AuthenticationError(APIStatusError):
    """401: the API key or token was missing, wrong or expired."""


class InsufficientCreditError(APIStatusError):
    """402: the account has no credit left for this job."""


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but may not do this."""


class NotFoundError(APIStatusError):
    """404: no such lipsync, batch, asset, folder or webhook endpoint (or another account's); on a create,
    its ``folder_id`` names no usable folder (``param`` is then ``folder_id``)."""


class ConflictError(APIStatusError):
    """409: e.g. a request with the same Idempotency-Key is still in flight."""


class RateLimitError(APIStatusError):
    """429: too many requests or too many concurrent jobs; ``.retry_after`` says how long to wait."""


class ServerError(APIStatusError):
    """5xx: HeyGen failed; safe to retry later."""


_HINTS: dict[type[APIStatusError], str] = {
    AuthenticationError: "check HEYGEN_API_KEY (or HEYGEN_BEARER_TOKEN)",
    InsufficientCreditError: "add credit to the HeyGen account",
    RateLimitError: "too many requests or concurrent jobs; wait and retry",
    ServerError: "HeyGen had a problem; retry later",
}


class JobFailedError(HeyGenError):
    """A lipsync job finished with status ``failed``."""

    code = "job_failed"

    def __init__(self, lipsync: Lipsync) -> None:
        reason = lipsync.failure_message or "no reason given"
        super().__init__(f"lipsync {lipsync.id} failed: {reason}")
        self.lipsync = lipsync
        self.lipsync_id = lipsync.id
        self.failure_message = lipsync.failure_message

    def _details(self) -> dict[str, Any]:
        return {"lipsync_id": self.lipsync_id, "failure_message": self.failure_message}


class WaitTimeoutError(HeyGenError):
    """Waiting gave up; the job itself is still running and has not failed.

    From ``wait_many``, ``pending_ids`` lists every job still running and ``results``
    holds the jobs that did finish; ``lipsync_id`` is the first pending one.
    """

    code = "wait_timeout"

    def __init__(
        self,
        lipsync_id: str,
        *,
        last_status: str | None,
        elapsed: float,
        pending_ids: Sequence[str] = (),
        results: Mapping[str, Lipsync] | None = None,
    ) -> None:
        pending = list(pending_ids) or [lipsync_id]
        message = wait_timeout_message(lipsync_id, last_status=last_status, elapsed=elapsed, pending_ids=pending)
        super().__init__(message)
        self.lipsync_id = lipsync_id
        self.last_status = last_status
        self.elapsed = elapsed
        self.pending_ids = pending
        self.results: dict[str, Lipsync] = dict(results or {})

    def _details(self) -> dict[str, Any]:
        return {
            "lipsync_id": self.lipsync_id,
            "last_status": self.last_status,
            "elapsed": self.elapsed,
            "pending_ids": list(self.pending_ids),
        }


def wait_timeout_message(
    lipsync_id: str,
    *,
    last_status: str | None,
    elapsed: float,
    pending_ids: Sequence[str] = (),
    resume: str = "resume with wait {id}",
    resume_many: str = "resume with wait_many on these ids (.pending_ids), or wait <id> for one",
) -> str:
    """The message of a wait that gave up: the job is still running, not failed, and how to resume.

    ``resume`` (one job) and ``resume_many`` (several) are each front-end's own wording of
    the next step; ``{id}`` in ``resume`` becomes the job's id. The library's wording names
    its own calls; the CLI passes e.g. ``"resume with: heygen-lipsync wait {id}"``.

    Raises:
        Nothing.
    """
    pending = list(pending_ids) or [lipsync_id]
    if len(pending) == 1:
        return (
            f"lipsync {lipsync_id} is still running, not failed (last status: {last_status or 'unknown'}, "
            f"waited {elapsed:.0f}s); {resume.format(id=lipsync_id)}"
        )
    # `wait` takes one id (library and CLI alike): the default names the call that takes them all.
    return (
        f"{len(pending)} lipsyncs are still running, not failed (waited {elapsed:.0f}s): "
        f"{' '.join(pending)}; {resume_many}"
    )


class DownloadError(HeyGenError):
    """A download could not be completed (expired URL, destination exists, short read)."""

    code = "download_error"


class CampaignStoppedError(HeyGenError):
    """A campaign stopped because its report could not be written (e.g. the disk is full); rerun it to resume."""

    code = "campaign_stopped"
