"""A create's outcome, once unknown, stays unknown: under faults, including responses lost and
then only 429s, callers that retry only with the key a failure hands them make exactly one job each."""

from __future__ import annotations

import httpx
import pytest

from tests.reliability.scenarios import LostThen429Transport, unknown_outcome_creates

N = 30


@pytest.mark.anyio
@pytest.mark.usefixtures("instant_retries")
async def test_creates_lost_then_rate_limited_still_make_exactly_one_job_each() -> None:
    report = await unknown_outcome_creates(N)

    assert report.lost_then_429 > 0, "the scenario never produced a lost-then-429 sequence"
    assert report.failures_without_key == 0, f"failures said 'not created' when the job may exist: {report.keyless}"
    assert report.failures_with_key > 0  # the faults reached the callers
    assert report.duplicated == {}
    assert report.jobs_made == N and len(report.acknowledged) == N


@pytest.mark.anyio
@pytest.mark.usefixtures("instant_retries")
async def test_creates_from_files_lost_then_rate_limited_make_exactly_one_job_each() -> None:
    report = await unknown_outcome_creates(10, with_files=True)

    assert report.lost_then_429 > 0
    assert report.failures_without_key == 0
    assert report.duplicated == {} and report.jobs_made == 10


class _Refusing(httpx.AsyncBaseTransport):
    """A network that fails every request in a given way."""

    def __init__(self, exc: httpx.TransportError) -> None:
        self.exc = exc

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise self.exc


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("exc", "reached"),
    [
        (httpx.PoolTimeout("no free connection"), False),  # a loaded machine: nothing left
        (httpx.ConnectTimeout("no answer to connect"), False),
        (httpx.ConnectError("refused"), False),
        (httpx.ReadTimeout("no answer"), True),  # the request went out: the job may exist
        (httpx.RemoteProtocolError("dropped"), True),
    ],
)
async def test_the_measurement_counts_a_create_as_reaching_the_server_only_when_bytes_left(
    exc: httpx.TransportError, reached: bool
) -> None:
    transport = LostThen429Transport(_Refusing(exc), rate=0.0, burst=1)
    request = httpx.Request(
        "POST", "http://sandbox.test/v3/lipsyncs", headers={"idempotency-key": "k1"}, json={"title": "t1"}
    )
    with pytest.raises(type(exc)):
        await transport.handle_async_request(request)
    assert transport.reached.get("t1", False) is reached
