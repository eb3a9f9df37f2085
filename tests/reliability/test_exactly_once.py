"""Exactly-once creation: under ~30% injected faults, N creates give exactly N jobs."""

from __future__ import annotations

import pytest

from tests.reliability.scenarios import exactly_once

N = 50


@pytest.mark.anyio
@pytest.mark.usefixtures("instant_retries")
async def test_n_creates_under_faults_make_exactly_n_jobs() -> None:
    report = await exactly_once(N)

    # Every logical create was acknowledged, each with its own id...
    assert len(report.acknowledged) == N, f"{N - len(report.acknowledged)} creates never succeeded"
    assert len(set(report.acknowledged.values())) == N
    # ...and the store holds exactly those jobs: none duplicated, none lost, none extra.
    assert report.duplicated == {}
    assert report.lost == []
    assert sorted(job_id for job_id, _ in report.stored) == sorted(report.acknowledged.values())
    assert {title: job_id for job_id, title in report.stored} == report.acknowledged
    # The faults really happened, of every kind the test is about.
    assert report.faulted_attempts >= 0.15 * report.attempts, (report.statuses, report.failures)
    assert report.statuses[429] > 0 and report.statuses[500] > 0
    assert sum(report.failures.values()) > 0  # dropped connections, before or after the commit
