"""Every non-2xx response maps to one typed error with an actionable, secret-free message."""

from __future__ import annotations

import httpx
import pytest

from heygen_lipsync import (
    APIError,
    APIStatusError,
    AsyncLipsyncClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    HeyGenError,
    InsufficientCreditError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
    WaitTimeoutError,
)
from heygen_lipsync._transport.mapping import error_from_response, parse_retry_after, raise_for_response
from tests.lib.fakeapi import API_KEY, FakeHeyGen

pytestmark = pytest.mark.anyio


def response(status: int, body: object = None, *, text: str | None = None, **headers: str) -> httpx.Response:
    request = httpx.Request("GET", "https://api.test/v3/lipsyncs/ls_1")
    if text is not None:
        return httpx.Response(status, text=text, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def envelope(code: str, message: str, param: str | None = None, doc_url: str | None = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "param": param, "doc_url": doc_url}}


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "invalid_parameter", BadRequestError),
        (400, "download_failed", BadRequestError),
        (401, "authentication_failed", AuthenticationError),
        (402, "insufficient_credit", InsufficientCreditError),
        (403, "resource_access_denied", PermissionDeniedError),
        (404, "not_found", NotFoundError),
        (409, "request_in_progress", ConflictError),
        (413, "payload_too_large", BadRequestError),
        (422, "invalid_parameter", BadRequestError),
        (429, "rate_limit_exceeded", RateLimitError),
        (500, "internal_error", ServerError),
        (503, "internal_error", ServerError),
        (418, "teapot", BadRequestError),
    ],
)
def test_each_status_family_maps_to_its_class(status: int, code: str, cls: type[APIStatusError]) -> None:
    err = error_from_response(
        response(status, envelope(code, "What happened", "video", "https://docs/x"), **{"x-request-id": "req_9"})
    )
    assert type(err) is cls
    assert isinstance(err, APIError) and isinstance(err, HeyGenError)
    assert (err.status_code, err.code, err.message, err.param, err.doc_url, err.request_id) == (
        status, code, "What happened", "video", "https://docs/x", "req_9",
    )  # fmt: skip
    line = str(err)
    assert "\n" not in line and code in line and "What happened" in line and "req_9" in line


def test_unknown_code_is_kept_raw() -> None:
    err = error_from_response(response(400, envelope("brand_new_code", "Something new")))
    assert err.code == "brand_new_code"


@pytest.mark.parametrize(
    ("status", "kwargs", "expected_in_message"),
    [
        (502, {"text": "<html><body>Bad Gateway</body></html>"}, "Bad Gateway"),
        (500, {"text": ""}, "empty body"),
        (400, {"body": {"message": "flat message"}}, "flat message"),
        (404, {"body": {"error": "Not Found"}}, "Not Found"),
        (422, {"body": {"detail": [{"loc": ["body", "video"]}]}}, "422"),
        (503, {"body": ["unexpected", "list"]}, "503"),
    ],
)
def test_body_that_is_not_the_envelope_still_gives_a_useful_error(
    status: int, kwargs: dict[str, object], expected_in_message: str
) -> None:
    body = kwargs.get("body")
    err = error_from_response(response(status, body, text=kwargs.get("text")))  # type: ignore[arg-type]
    assert err.status_code == status
    assert expected_in_message in str(err)
    assert err.code  # a default code for the family
    if status >= 500:
        assert isinstance(err, ServerError) and err.code == "internal_error"


def test_raise_for_response_ignores_2xx() -> None:
    raise_for_response(response(200, {"data": {}}))
    with pytest.raises(NotFoundError):
        raise_for_response(response(404, envelope("not_found", "gone")))


def test_retry_after_parsing() -> None:
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    err = error_from_response(response(429, envelope("rate_limit_exceeded", "x"), **{"retry-after": "4"}))
    assert err.retry_after == 4.0 and "retry after 4s" in str(err)


@pytest.mark.parametrize(
    "value", ["Wed, 21 Oct 2015 07:28:00 GMT", "Wednesday, 21-Oct-15 07:28:00 GMT", "Wed Oct 21 07:28:00 2015"]
)
def test_retry_after_http_date_forms_are_gmt_whatever_the_local_zone(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # RFC 9110 allows three date forms; asctime's carries no zone but still means GMT.
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert parse_retry_after(value, now=1445412470.0) == 10.0
    finally:
        monkeypatch.undo()
        time.tzset()


def test_hints_say_what_to_do() -> None:
    assert "HEYGEN_API_KEY" in str(error_from_response(response(401, envelope("unauthorized", "bad key"))))
    assert "credit" in str(error_from_response(response(402, envelope("insufficient_credit", "no money"))))


def test_other_error_codes_are_stable() -> None:
    assert ValidationError("video", "x").code == "validation_error"
    assert WaitTimeoutError("ls_1", last_status="running", elapsed=5).code == "wait_timeout"
    msg = str(WaitTimeoutError("ls_1", last_status="running", elapsed=1200))
    assert "still running, not failed" in msg and "wait ls_1" in msg


async def test_server_echoing_headers_never_leaks_key_into_errors(fake: FakeHeyGen, clock: object) -> None:
    # Even if a proxy answered with garbage, the message is built from the body, never from
    # request headers: the key cannot appear unless the server echoes it.
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"code": "unauthorized", "message": "Invalid API key"}})

    async with AsyncLipsyncClient(
        api_key=API_KEY, base_url="https://api.test", transport=httpx.MockTransport(handler)
    ) as c:
        with pytest.raises(AuthenticationError) as info:
            await c.get("ls_1")
    err = info.value
    for text in (str(err), repr(err), repr(c), repr(c.settings), str(err.__dict__)):
        assert API_KEY not in text


def test_the_tree_drawn_in_the_module_docstring_is_the_class_tree() -> None:
    # DESIGN.md: one error tree, drawn in the docstring. Keep the drawing true.
    import re

    from heygen_lipsync import errors

    doc = errors.__doc__ or ""
    drawing = doc.split("```")[1]
    parents: list[str] = []
    drawn: dict[str, str | None] = {}
    for line in drawing.strip("\n").splitlines():
        match = re.match(r"^([\s│├└─]*)(\w+)", line)
        assert match, line
        depth = len(match.group(1)) // 4
        del parents[depth:]
        drawn[match.group(2)] = parents[-1] if parents else None
        parents.append(match.group(2))
    classes = {
        name: cls
        for name in errors.__all__
        if isinstance(cls := getattr(errors, name), type) and issubclass(cls, BaseException)
    }
    assert set(drawn) == set(classes)
    for name, parent in drawn.items():
        assert parent is None or classes[name].__bases__[0] is classes[parent], name
