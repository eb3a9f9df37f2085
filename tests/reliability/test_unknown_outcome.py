"""A create's outcome, once unknown, stays unknown: under faults, including responses lost and
then only 429s, callers that retry only with the key a failure hands them make exactly one job each."""

from __future__ import annotations

import pytest

from tests.reliability.scenarios import unknown_outcome_creates

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
