"""The reliability scenarios at full size (the CI tests in tests/reliability/ run them small).

- exactly-once: N creates through the library against a sandbox injecting 500s, dropped
  connections, commit-then-drop and 429 bursts (~30% of responses); the store must hold
  exactly N jobs, none duplicated, none lost. Back-off sleeps are real here.
- restart: N creates, the sandbox stopped once some are acknowledged and started again on
  the same data; every acknowledged job must be there, and re-sent keys must replay.
- kill: the same with the sandbox's process killed outright (SIGKILL) instead of stopped.
- unknown outcome: N concurrent creates under the same ~30% faults plus lost-then-429
  sequences (a create's response lost, then only 429s until the library's retries run out),
  callers retrying only with the key a failure hands them: exactly N jobs, 0 failures
  without a key.
- file races: N uploads and N downloads through the MCP server's file checks while a thread
  keeps swapping the path (a file for a symlink outside, a folder for a symlink outside):
  0 escapes (reference: 0).

    python scripts/bench/reliability.py                 # N=1000 creates, restart with 200
    python scripts/bench/reliability.py --creates 200 --restart-jobs 50 --unknown-outcome 300 --race-tries 2000

Exits 1 if any property fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import anyio

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.reliability.races import download_race, upload_race  # noqa: E402
from tests.reliability.scenarios import (  # noqa: E402
    exactly_once,
    kill_mid_run,
    restart_mid_run,
    titles_of,
    unknown_outcome_creates,
)


async def run_unknown_outcome(creates: int) -> bool:
    start = time.perf_counter()
    report = await unknown_outcome_creates(creates, concurrency=creates)
    seconds = time.perf_counter() - start
    exact = report.jobs_made == creates and report.failures_without_key == 0 and not report.duplicated
    share = report.faulted_attempts / max(1, report.attempts)
    print(f"\n## Unknown outcomes stay unknown ({creates} concurrent creates, {seconds:.1f} s)\n")
    print(f"- jobs made: {report.jobs_made} of {creates} intended; duplicated titles: {len(report.duplicated)}")
    print(f"- failures without a key: {report.failures_without_key} {dict(report.keyless) or ''}")
    print(f"- failures carrying the key (retried with it): {report.failures_with_key}")
    print(f"- refusals before any attempt reached the server (429 on every attempt): {report.refused_before_reaching}")
    print(f"- lost-then-429 sequences: {report.lost_then_429}; attempts faulted: {share:.0%} of {report.attempts}")
    # What each caller's calls ended with, for every title that went wrong: the way to tell a
    # product bug from a measurement one.
    for title in sorted({*report.duplicated, *report.keyless_titles}):
        print(f"  - {title}: " + "; ".join(report.history.get(title, [])))
    print(f"- verdict: {'OK' if exact else 'FAILED'}")
    return exact


async def run_races(tries: int) -> bool:
    ok = True
    print(f"\n## File races ({tries:,} tries each, a thread swapping the path meanwhile)\n")
    for name in ("upload_asset", "download_lipsync"):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            race = upload_race if name == "upload_asset" else download_race
            report = await race(Path(tmp), tries)
            seconds = time.perf_counter() - start
        ok &= report.escapes == 0
        print(
            f"- {name}: {report.escapes} escapes in {report.tries:,} tries (reference: 0); "
            f"refused as swapped: {report.refused}, completed inside: {report.completed} ({seconds:.1f} s)"
        )
    return ok


async def run(creates: int, restart_jobs: int, concurrency: int, unknown_outcome: int, race_tries: int) -> bool:
    ok = await run_races(race_tries)
    ok &= await run_unknown_outcome(unknown_outcome)
    start = time.perf_counter()
    report = await exactly_once(creates, concurrency=concurrency)
    seconds = time.perf_counter() - start
    stored_ids = sorted(i for i, _ in report.stored)
    exact = (
        len(report.acknowledged) == creates
        and not report.duplicated
        and not report.lost
        and stored_ids == sorted(report.acknowledged.values())
    )
    ok &= exact
    print(f"\n## Exactly-once creation under faults ({creates} creates, {concurrency} at a time, {seconds:.1f} s)\n")
    print(f"- acknowledged: {len(report.acknowledged)} / {creates}; jobs stored: {len(report.stored)}")
    print(f"- duplicated: {len(report.duplicated)}; lost: {len(report.lost)}; verdict: {'OK' if exact else 'FAILED'}")
    share = report.faulted_attempts / max(1, report.attempts)
    print(f"- HTTP attempts: {report.attempts}, of which faulted: {report.faulted_attempts} ({share:.0%})")
    print(f"- statuses: {dict(sorted(report.statuses.items()))}; network failures: {dict(report.failures)}")
    print(f"- whole-call retries by the caller (same key) after the library's own retries: {report.caller_retries}")

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        restart = await restart_mid_run(Path(tmp) / "sandbox", restart_jobs, stop_after=restart_jobs // 3)
        seconds = time.perf_counter() - start
    missing = [i for i, status in restart.found_after.items() if status is None]
    replay_ok = all(restart.replayed[t] == i for t, i in restart.acknowledged_before.items())
    counts = titles_of(restart.stored_after)
    exact = not missing and replay_ok and len(restart.stored_after) == restart_jobs and max(counts.values()) == 1
    ok &= exact
    print(f"\n## Sandbox restart mid-run ({restart_jobs} creates, {seconds:.1f} s)\n")
    print(f"- acknowledged before the stop: {len(restart.acknowledged_before)}; missing after it: {len(missing)}")
    print(f"- re-sent keys replayed the first id: {'yes' if replay_ok else 'NO'}")
    verdict = "OK" if exact else "FAILED"
    print(f"- jobs after re-sending all {restart_jobs}: {len(restart.stored_after)}; verdict: {verdict}")

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        killed = await kill_mid_run(Path(tmp) / "sandbox", restart_jobs, kill_after=restart_jobs // 3)
        seconds = time.perf_counter() - start
    missing = [i for i, status in killed.found_after.items() if status is None]
    replay_ok = all(killed.replayed[t] == i for t, i in killed.acknowledged_before.items())
    exact = not missing and replay_ok
    ok &= exact
    print(f"\n## Sandbox process killed (SIGKILL) mid-run and restarted ({restart_jobs} creates, {seconds:.1f} s)\n")
    print(f"- acknowledged before the kill: {len(killed.acknowledged_before)}; missing after it: {len(missing)}")
    verdict = "OK" if exact else "FAILED"
    print(f"- re-sent keys replayed the first id: {'yes' if replay_ok else 'NO'}; verdict: {verdict}")
    return ok


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--creates", type=int, default=1000, help="creates under faults (default 1000)")
    parser.add_argument("--restart-jobs", type=int, default=200, help="creates around the restart (default 200)")
    parser.add_argument("--concurrency", type=int, default=20, help="creates in flight at once (default 20)")
    parser.add_argument(
        "--unknown-outcome", type=int, default=300, help="concurrent creates with lost-then-429 faults (default 300)"
    )
    parser.add_argument("--race-tries", type=int, default=2000, help="tries of each file race (default 2000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        # Creates go through the job ledger, as a user's do; but a run of its own, never the
        # user's ledger (which thousands of sandbox jobs would fill) nor one a parallel run shares.
        os.environ.setdefault("HEYGEN_LIPSYNC_LEDGER", str(Path(tmp) / "ledger.sqlite3"))
        return anyio.run(run, args.creates, args.restart_jobs, args.concurrency, args.unknown_outcome, args.race_tries)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
