"""An error's JSON form, secret redaction and the wait-timeout message: written once for both front-ends."""

from __future__ import annotations

import json

import pytest

from heygen_lipsync import APIConnectionError, JobFailedError, Lipsync, ValidationError, WaitTimeoutError
from heygen_lipsync._transport.mapping import error_from_response
from heygen_lipsync.errors import wait_timeout_message
from heygen_lipsync.redaction import redact
from tests.lib.test_errors import response

KEY = "sk-live-0123456789abcdef"


def test_an_api_error_dict_has_every_field_either_front_end_shows() -> None:
    exc = error_from_response(
        response(
            429,
            {"error": {"code": "rate_limit_exceeded", "message": "slow down", "param": None, "doc_url": "https://d"}},
            **{"x-request-id": "req_9", "retry-after": "7"},
        )
    )
    body = exc.to_dict()
    assert body == {
        "type": "RateLimitError",
        "code": "rate_limit_exceeded",
        "message": "slow down",
        "status_code": 429,
        "param": None,
        "doc_url": "https://d",
        "retry_after": 7.0,
        "request_id": "req_9",
    }
    json.dumps(body)  # a JSON form, as it says


def test_an_unknown_outcome_dict_carries_the_key_to_retry_with() -> None:
    exc = APIConnectionError("could not reach the HeyGen API")
    exc.idempotency_key = "hl-abc"
    body = exc.to_dict()
    assert body["idempotency_key"] == "hl-abc" and body["outcome_unknown"] is True
    assert "idempotency_key" not in APIConnectionError("x").to_dict()


def test_validation_job_and_wait_errors_name_what_they_are_about() -> None:
    assert ValidationError("video", "is required").to_dict()["param"] == "video"
    failed = JobFailedError(Lipsync(id="ls_1", status="failed", failure_message="no face")).to_dict()
    assert failed["lipsync_id"] == "ls_1" and failed["failure_message"] == "no face"
    waited = WaitTimeoutError("ls_2", last_status="running", elapsed=12.0).to_dict()
    assert waited["lipsync_id"] == "ls_2" and waited["last_status"] == "running" and waited["pending_ids"] == ["ls_2"]


def test_to_dict_redacts_a_secret_that_reached_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEYGEN_API_KEY", KEY)
    exc = APIConnectionError(f"Illegal header value b'{KEY}'")
    assert KEY not in json.dumps(exc.to_dict())
    assert "tok-1234-secret" not in str(APIConnectionError("bad tok-1234-secret").to_dict(secrets=["tok-1234-secret"]))


@pytest.mark.parametrize(
    "secret",
    [KEY, "sk-with\nnewline-0123456789", "sk-quote'\"-and\\backslash-0123", "sk-ünïcode-0123456789", " sk-spaced-key "],
)
def test_redact_covers_raw_repr_bytes_repr_and_json_forms(secret: str) -> None:
    forms = [
        secret,
        repr(secret),
        repr(secret.encode()),
        json.dumps(secret),
        json.dumps(secret, ensure_ascii=False),
        json.dumps({"message": repr(secret.encode())}),  # a JSON error carrying httpx's repr
        f"Illegal header value {secret.encode()!r}",
    ]
    for text in forms:
        cleaned = redact(f"before {text} after", [secret], env={})
        assert cleaned.startswith("before ") and cleaned.endswith(" after")
        for piece in secret.strip().split():
            if len(piece) >= 8:
                assert piece not in cleaned, (text, cleaned)


def test_redact_reads_the_environment_and_leaves_other_text_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEYGEN_BEARER_TOKEN", "oauth-token-0123456789")
    monkeypatch.delenv("HEYGEN_API_KEY", raising=False)
    assert redact("Bearer oauth-token-0123456789 failed") == "Bearer *** failed"
    assert redact("nothing secret here", ["abc"]) == "nothing secret here"  # too short to be a key


def test_the_wait_timeout_message_is_worded_by_each_front_end() -> None:
    library = wait_timeout_message("ls_1", last_status="running", elapsed=61.2)
    assert library == str(WaitTimeoutError("ls_1", last_status="running", elapsed=61.2))
    assert library.endswith("resume with wait ls_1") and "still running, not failed" in library
    cli = wait_timeout_message("ls_1", last_status=None, elapsed=5, resume="resume with: heygen-lipsync wait {id}")
    assert cli.endswith("(last status: unknown, waited 5s); resume with: heygen-lipsync wait ls_1")
    many = wait_timeout_message("a", last_status=None, elapsed=5, pending_ids=["a", "b"], resume_many="call again")
    assert many == "2 lipsyncs are still running, not failed (waited 5s): a b; call again"
