"""Mapping HTTP answers and transport failures onto the one error tree (``errors``): one function each.

``raise_for_response`` is what every call of the client runs on a non-2xx answer;
``error_from_transport`` turns httpx's failures into ``APIConnectionError``/``APITimeoutError``.
Messages never hold a secret: they are built from HeyGen's error body, the status and the
request id, never from request headers.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from heygen_lipsync.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InsufficientCreditError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)

if TYPE_CHECKING:
    import httpx

__all__ = ["error_from_response", "error_from_transport", "parse_retry_after", "raise_for_response"]

_MAX_BODY_SNIPPET = 200

_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
}

# Used when the body carries no code of its own.
_DEFAULT_CODES: dict[int, str] = {
    400: "invalid_parameter",
    401: "authentication_failed",
    402: "insufficient_credit",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "payload_too_large",
    422: "invalid_parameter",
    429: "rate_limit_exceeded",
}


def _class_for(status: int) -> type[APIStatusError]:
    if status in _STATUS_CLASSES:
        return _STATUS_CLASSES[status]
    if status >= 500:
        return ServerError
    if 400 <= status < 500:
        return BadRequestError
    return APIStatusError


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header given as seconds or as an HTTP date.

    Returns None when absent or unparseable; never negative.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN check
    import email.utils
    import time

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        # HTTP dates are always GMT; asctime() and "-0000" forms parse without a zone and
        # would otherwise be read in the machine's local time (off by hours).
        import datetime

        when = when.replace(tzinfo=datetime.UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def error_from_response(response: httpx.Response) -> APIStatusError:
    """Build the typed error for a non-2xx response (the body must already be read).

    Works for the documented envelope ``{"error": {code, message, param, doc_url}}`` and
    for anything else (HTML from a proxy, plain text, empty body, other JSON shapes).
    """
    status = response.status_code
    request_id = response.headers.get("x-request-id")
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    code: str | None = None
    message: str | None = None
    param: str | None = None
    doc_url: str | None = None
    body: Any = None
    import httpx

    try:
        text = response.text
    except (UnicodeDecodeError, LookupError, httpx.ResponseNotRead):
        text = ""
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = text
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            code = _str_or_none(err.get("code"))
            message = _str_or_none(err.get("message"))
            param = _str_or_none(err.get("param"))
            doc_url = _str_or_none(err.get("doc_url"))
        elif isinstance(err, str):
            # Some gateways answer {"error": "..."}; others {"message": "..."} or {"detail": "..."}.
            message = err
        if message is None:
            for key in ("message", "detail", "msg"):
                if isinstance(body.get(key), str):
                    message = body[key]
                    break
        if code is None and isinstance(body.get("code"), str):
            code = body["code"]
    if message is None:
        snippet = " ".join(text.split())[:_MAX_BODY_SNIPPET] if isinstance(text, str) else ""
        reason = response.reason_phrase or "error"
        message = f"HTTP {status} {reason}" + (f" (body: {snippet})" if snippet else " (empty body)")
    if code is None:
        code = _DEFAULT_CODES.get(status, "internal_error" if status >= 500 else f"http_{status}")
    if status == 404 and _is_create(response):
        # A create's one lookup that answers 404 is its folder_id (missing sources are a 400).
        param = param or "folder_id"
        if "folder" not in message.lower():
            message = f"folder_id names no folder of this workspace (unknown, in the trash, or not a folder): {message}"
    cls = _class_for(status)
    return cls(
        message,
        status_code=status,
        code=code,
        param=param,
        doc_url=doc_url,
        request_id=request_id,
        retry_after=retry_after,
        body=body,
    )


def _is_create(response: httpx.Response) -> bool:
    """Whether ``response`` answers a lipsync or batch create."""
    try:
        request = response.request
    except RuntimeError:  # a response built without its request
        return False
    return request.method == "POST" and request.url.path.rstrip("/").endswith(("/v3/lipsyncs", "/v3/lipsyncs/batches"))


def raise_for_response(response: httpx.Response) -> None:
    """Raise the typed error for a non-2xx response; do nothing for 2xx.

    This is the one place a non-2xx response becomes an exception.

    Raises:
        APIStatusError: the subclass for the status family (BadRequestError, NotFoundError, ...).
    """
    if 200 <= response.status_code < 300:
        return
    raise error_from_response(response)


def error_from_transport(exc: httpx.TransportError, *, what: str = "the HeyGen API") -> APIConnectionError:
    """Map an httpx transport failure (after retries) to APIConnectionError / APITimeoutError."""
    url = ""
    # The setting that bounds this request's wait (see _http.timeouts_for).
    setting = "HEYGEN_LIPSYNC_TIMEOUT"
    try:
        req = exc.request
        url = f" ({req.method} {req.url.copy_with(query=None)})"
        if req.method in ("POST", "PATCH", "DELETE"):
            setting = "HEYGEN_LIPSYNC_WRITE_TIMEOUT"
    except RuntimeError:
        pass
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        name = type(exc).__name__
        return APITimeoutError(f"timed out talking to {what}{url}: {name}; retry later or raise {setting}")
    detail = str(exc) or type(exc).__name__
    return APIConnectionError(f"could not reach {what}{url}: {detail}; check the network and HEYGEN_BASE_URL")
