"""wait and wait_many on a fake clock: no real sleeping."""

from __future__ import annotations

import pytest

from heygen_lipsync import AsyncLipsyncClient, JobFailedError, Lipsync, NotFoundError, WaitTimeoutError
from heygen_lipsync.polling import poll_delays
from tests.lib.conftest import FakeClock
from tests.lib.fakeapi import FakeHeyGen, envelope_error

pytestmark = pytest.mark.anyio


async def test_wait_returns_completed_job_and_reports_progress(
    client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock
) -> None:
    job = fake.add_job()
    seen: list[tuple[str, float]] = []
    done = await client.wait(job, on_progress=lambda lipsync, elapsed: seen.append((lipsync.status, elapsed)))
    assert done.is_completed and done.video_url
    assert [s for s, _ in seen] == ["running", "completed"]
    assert len(clock.sleeps) == 1 and 1.6 <= clock.sleeps[0] <= 2.4  # 2 s, jittered


async def test_async_progress_callback_is_awaited(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    job = fake.add_job()
    calls: list[str] = []

    async def report(lipsync: Lipsync, elapsed: float) -> None:
        calls.append(lipsync.status)

    await client.wait(job, on_progress=report)
    assert calls[-1] == "completed"


async def test_wait_raises_job_failed_with_heygen_message(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    fake.lifecycle = ["pending", "failed"]
    job = fake.add_job()
    with pytest.raises(JobFailedError) as info:
        await client.wait(job)
    assert info.value.lipsync_id == job
    assert info.value.failure_message == "No face detected in the video"
    assert "No face detected" in str(info.value) and info.value.lipsync.is_failed


async def test_wait_timeout_says_still_running_and_how_to_resume(
    client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock
) -> None:
    fake.lifecycle = ["pending", "running"]
    job = fake.add_job()
    with pytest.raises(WaitTimeoutError) as info:
        await client.wait(job, timeout=100)
    err = info.value
    assert err.lipsync_id == job and err.last_status == "running"
    assert "still running, not failed" in str(err) and f"wait {job}" in str(err)
    assert 100 <= err.elapsed <= 101
    # Backoff: 2 s doubling, capped at 30 s, and never sleeping past the deadline.
    assert clock.sleeps[0] <= 2.4 and max(clock.sleeps) <= 30 * 1.2
    assert sum(clock.sleeps) == pytest.approx(100)


async def test_wait_survives_transient_errors(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    fake.lifecycle = ["pending", "running", "running", "completed"]
    job = fake.add_job()

    def outage_after_first_poll(lipsync: Lipsync, elapsed: float) -> None:
        if not fake.script and elapsed == 0:
            # More 503s than one call's retries: that poll fails, the wait keeps going.
            fake.script.extend((lambda r: envelope_error(503, "internal_error", "busy")) for _ in range(3))

    done = await client.wait(job, on_progress=outage_after_first_poll)
    assert done.is_completed
    assert len([r for r in fake.requests if r.url.path == f"/v3/lipsyncs/{job}"]) == 3 + 3


async def test_wait_not_found_raises_at_once(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    with pytest.raises(NotFoundError):
        await client.wait("ls_nope")
    assert len(fake.requests) == 1


def test_poll_delays_double_to_cap() -> None:
    delays = poll_delays(2.0, 30.0)
    nominal = [2, 4, 8, 16, 30, 30]
    for expected in nominal:
        assert expected * 0.8 <= next(iter(delays)) <= expected * 1.2


async def test_wait_many_uses_one_statuses_request_per_round(
    client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock
) -> None:
    fake.lifecycle = ["pending", "running", "running", "completed"]
    ids = [fake.add_job() for _ in range(150)]
    progress: list[str] = []
    results = await client.wait_many(ids, on_progress=lambda lipsync, elapsed: progress.append(lipsync.status))
    assert list(results) == ids
    assert all(r.is_completed and r.video_url for r in results.values())
    status_calls = fake.calls("GET", "/v3/lipsyncs/statuses")
    rounds = len(clock.sleeps) + 1
    assert len(status_calls) == 2 * rounds  # 150 ids -> 2 requests per round, never one per job
    gets = [r for r in fake.requests if r.method == "GET" and r.url.path.startswith("/v3/lipsyncs/ls_")]
    assert len(gets) == 150  # one final GET per finished job
    assert "running" in progress  # statuses vocabulary (processing) mapped to the lipsync's


async def test_wait_many_does_not_raise_for_failures(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    fake.lifecycle = ["pending", "failed"]
    failing = fake.add_job()
    fake.lifecycle = ["pending", "failed"]
    results = await client.wait_many([failing])
    assert results[failing].is_failed
    assert results[failing].failure_message == "No face detected in the video"


async def test_wait_many_timeout_keeps_finished_results(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    done = fake.add_job(status="completed")
    fake.finish(fake.jobs[done])
    fake.lifecycle = ["pending", "running"]
    stuck = fake.add_job()
    with pytest.raises(WaitTimeoutError) as info:
        await client.wait_many([done, stuck], timeout=60)
    assert info.value.pending_ids == [stuck]
    assert info.value.results[done].is_completed
    assert f"wait {stuck}" in str(info.value)


async def test_wait_many_unknown_id_raises_not_found(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    with pytest.raises(NotFoundError):
        await client.wait_many(["ls_ghost"])


async def test_wait_that_never_reaches_the_api_fails_fast(client: AsyncLipsyncClient, fake: FakeHeyGen) -> None:
    import httpx

    from heygen_lipsync import APIConnectionError

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    fake.script.extend([refuse] * 3)
    with pytest.raises(APIConnectionError):
        await client.wait("ls_1", timeout=1200)
    fake.script.extend([refuse] * 3)
    with pytest.raises(APIConnectionError):
        await client.wait_many(["ls_1"], timeout=1200)


async def test_wait_many_polls_at_most_every_10_s(
    client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock
) -> None:
    # One statuses request covers 100 jobs a round, so wait_many caps its interval at 10 s
    # (wait's is 30 s): a job that finishes is noticed within about 10 s, not 30.
    fake.lifecycle = ["pending", "running"]
    ids = [fake.add_job() for _ in range(3)]
    with pytest.raises(WaitTimeoutError):
        await client.wait_many(ids, timeout=300)
    assert clock.sleeps[0] <= 2.4
    assert max(clock.sleeps) <= 10
    # The age schedule (as wait's) reaches the 10 s cap once the jobs are ~125 s old.
    assert min(clock.sleeps[-10:-1]) >= 10 * 0.8
    rounds = len(fake.calls("GET", "/v3/lipsyncs/statuses"))
    assert rounds == len(clock.sleeps) + 1 and rounds <= 80


async def test_wait_keeps_the_30_s_cap(client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock) -> None:
    fake.lifecycle = ["pending", "running"]
    job = fake.add_job()
    with pytest.raises(WaitTimeoutError):
        await client.wait(job, timeout=300)
    assert max(clock.sleeps) > 10 * 1.2


async def test_wait_treats_an_unknown_status_as_not_finished_and_reports_it(
    client: AsyncLipsyncClient, fake: FakeHeyGen
) -> None:
    fake.lifecycle = ["pending", "upscaling", "completed"]  # a status HeyGen may add later
    job = fake.add_job()
    seen: list[str] = []
    done = await client.wait(job, on_progress=lambda lipsync, elapsed: seen.append(lipsync.status))
    assert done.is_completed
    assert "upscaling" in seen


async def test_wait_many_timeout_with_several_pending_says_how_to_resume_them_all(
    client: AsyncLipsyncClient, fake: FakeHeyGen
) -> None:
    fake.lifecycle = ["pending", "running"]
    ids = [fake.add_job(), fake.add_job()]
    with pytest.raises(WaitTimeoutError) as info:
        await client.wait_many(ids, timeout=30)
    message = str(info.value)
    assert info.value.pending_ids == ids
    assert "still running, not failed" in message and all(i in message for i in ids)
    assert "resume with wait_many" in message
    assert f"wait {ids[0]} {ids[1]}" not in message  # `wait` takes one id


async def test_wait_notices_a_finished_job_within_a_tenth_of_its_age(
    client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock
) -> None:
    # HeyGen's CLI schedule (2 s doubling to 30 s) reported a job done at ~21 s after 32.7 s.
    fake.lifecycle = ["running"]
    for duration in (5.0, 21.0, 120.0, 600.0):
        job = fake.add_job()
        finish_at = clock.now + duration

        def finish_when_due(request: object, job: str = job, at: float = finish_at) -> None:
            if clock.now >= at and fake.jobs[job]["status"] != "completed":
                fake.finish(fake.jobs[job])

        fake.script.append(finish_when_due)
        done = await client.wait(job, timeout=3600)
        fake.script.remove(finish_when_due)
        assert done.is_completed
        assert clock.now - finish_at <= max(2.0, 0.1 * duration), duration


async def test_a_second_wait_resumes_the_schedule(
    client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock
) -> None:
    fake.lifecycle = ["pending", "running"]
    job = fake.add_job()
    with pytest.raises(WaitTimeoutError):
        await client.wait(job, timeout=200)
    first_wait_sleeps = len(clock.sleeps)
    with pytest.raises(WaitTimeoutError):
        await client.wait(job, timeout=50)
    # The job is 200 s old: the next poll comes after ~16 s, not the 2 s of a fresh schedule.
    assert clock.sleeps[first_wait_sleeps] >= 0.08 * 200 * 0.8


async def test_wait_many_notices_finished_jobs_within_a_tenth_of_their_age(
    client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock
) -> None:
    # The same age-based schedule as wait: a round comes after ~8% of the youngest job's age.
    fake.lifecycle = ["running"]
    for duration in (5.0, 30.0, 120.0, 600.0):
        ids = [fake.add_job(), fake.add_job()]
        finish_at = clock.now + duration

        def finish_when_due(request: object, ids: list[str] = ids, at: float = finish_at) -> None:
            for job in ids:
                if clock.now >= at and fake.jobs[job]["status"] != "completed":
                    fake.finish(fake.jobs[job])

        fake.script.append(finish_when_due)
        done = await client.wait_many(ids, timeout=3600)
        fake.script.remove(finish_when_due)
        assert all(job.is_completed for job in done.values())
        assert clock.now - finish_at <= max(2.0, 0.1 * duration), duration


async def test_a_second_wait_many_resumes_the_schedule(
    client: AsyncLipsyncClient, fake: FakeHeyGen, clock: FakeClock
) -> None:
    fake.lifecycle = ["pending", "running"]
    ids = [fake.add_job(), fake.add_job()]
    with pytest.raises(WaitTimeoutError):
        await client.wait_many(ids, timeout=100)
    first_wait_sleeps = len(clock.sleeps)
    with pytest.raises(WaitTimeoutError):
        await client.wait_many(ids, timeout=30)
    # The jobs are 100 s old: the next round comes after ~8 s, not the 2 s of a fresh schedule.
    assert clock.sleeps[first_wait_sleeps] >= 0.08 * 100 * 0.8
