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


@pytest.mark.anyio
@pytest.mark.usefixtures("instant_retries")
async def test_creates_from_local_files_under_faults_upload_each_file_once() -> None:
    n = 20
    report = await exactly_once(n, with_files=True)

    assert len(report.acknowledged) == n
    assert report.duplicated == {} and report.lost == []
    assert len(report.stored) == n
    # Two uploads per create, each stored once: every stored asset is one a job uses.
    assert len(report.assets_referenced) == 2 * n
    assert report.assets_stored == 2 * n
    assert sum(report.failures.values()) > 0 and report.statuses[500] > 0
