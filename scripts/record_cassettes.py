"""Record the library's VCR cassettes (tests/cassettes/) for offline replay in the tests.

    python scripts/record_cassettes.py                 # every scenario, against the embedded sandbox
    python scripts/record_cassettes.py --live          # against the real API (needs HEYGEN_API_KEY; costs credits)
    python scripts/record_cassettes.py create error_404  # only these scenarios

Sandbox recordings go to tests/cassettes/sandbox/, live ones to tests/cassettes/live/;
each cassette starts with a comment saying where and when it was recorded, and each
directory's index.json holds the facts the replay tests must reproduce. Keys, tokens and
presigned-URL signatures are replaced by REDACTED before anything is written, and the
sandbox's random port is rewritten to a fixed base URL so replays are stable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import vcr  # noqa: E402

from heygen_lipsync import AsyncLipsyncClient, resolve_settings  # noqa: E402
from heygen_lipsync.sandbox import EmbeddedSandbox, SandboxConfig  # noqa: E402
from tests.cassettes.scenarios import (  # noqa: E402
    CASSETTE_DIR,
    LIVE_BASE_URL,
    REDACTED,
    SANDBOX_BASE_URL,
    SCENARIOS,
    SECRET_HEADERS,
    Context,
    Scenario,
    scrub_text,
)

WRONG_KEY = "wrong-key-for-cassette"


def make_vcr(real_base: str, canonical_base: str, secrets: list[str]) -> vcr.VCR:
    """A VCR that scrubs secrets and rewrites the recording base URL to the canonical one."""

    real_netloc = real_base.split("://", 1)[-1]
    canonical_netloc = canonical_base.split("://", 1)[-1]

    def clean(text: str) -> str:
        text = text.replace(real_base, canonical_base).replace(real_netloc, canonical_netloc)
        for secret in secrets:
            if secret:
                text = text.replace(secret, REDACTED)
        return scrub_text(text)

    def before_request(request: Any) -> Any:
        request.uri = clean(request.uri)
        for name in list(request.headers):
            if name.lower() in SECRET_HEADERS:
                request.headers[name] = REDACTED
            elif isinstance(request.headers[name], str):
                request.headers[name] = clean(request.headers[name])
        body = request.body
        if isinstance(body, bytes):
            try:
                request.body = clean(body.decode("utf-8")).encode("utf-8")
            except UnicodeDecodeError:
                # File uploads: bodies are not matched on replay, so keep cassettes small.
                request.body = f"<{len(body)} bytes of file data omitted by record_cassettes.py>".encode()
        return request

    def before_response(response: dict[str, Any]) -> dict[str, Any]:
        headers = response.get("headers", {})
        for name in list(headers):
            if name.lower() in SECRET_HEADERS:
                headers[name] = [REDACTED]
            else:
                headers[name] = [clean(v) if isinstance(v, str) else v for v in headers[name]]
        body = response.get("body", {}).get("string")
        if isinstance(body, bytes):
            with contextlib.suppress(UnicodeDecodeError):  # the output video: no secrets in it
                response["body"]["string"] = clean(body.decode("utf-8")).encode("utf-8")
        return response

    return vcr.VCR(
        record_mode="all",
        filter_headers=[(h, REDACTED) for h in SECRET_HEADERS],
        before_record_request=before_request,
        before_record_response=before_response,
        decode_compressed_response=True,
    )


async def record_one(scenario: Scenario, *, live: bool, out_dir: Path, workdir: Path) -> dict[str, Any]:
    # The ledger stays off (ledger=None): with it, a re-recording would reuse the uploads and jobs an
    # earlier run left in this machine's ledger, so the cassette would depend on the recorder's history
    # and the replay (always ledger-free) would ask for requests that were never recorded.
    cassette = out_dir / f"{scenario.name}.yaml"
    if cassette.exists():
        cassette.unlink()
    if live:
        settings = resolve_settings()
        key = WRONG_KEY if scenario.wrong_key else settings.api_key
        recorder = make_vcr(settings.base_url, LIVE_BASE_URL, [settings.api_key or "", settings.bearer_token or ""])
        with recorder.use_cassette(str(cassette)):
            async with AsyncLipsyncClient(
                api_key=key, base_url=settings.base_url, max_retries=scenario.max_retries, ledger=None
            ) as client:
                facts = await scenario.run(client, Context(workdir=workdir, live=True, poll_interval=2.0))
    else:
        config = SandboxConfig(**{"pending_seconds": 0.2, "running_seconds": 0.4, **scenario.sandbox_overrides})
        async with EmbeddedSandbox(config) as sb:
            key = WRONG_KEY if scenario.wrong_key else sb.api_key
            recorder = make_vcr(sb.base_url, SANDBOX_BASE_URL, [sb.api_key])
            with recorder.use_cassette(str(cassette)):
                async with AsyncLipsyncClient(
                    api_key=key, base_url=sb.base_url, max_retries=scenario.max_retries, ledger=None
                ) as client:
                    facts = await scenario.run(client, Context(workdir=workdir, live=False, poll_interval=0.1))
    where = (
        f"the real HeyGen API ({LIVE_BASE_URL})"
        if live
        else f"the embedded sandbox (heygen_lipsync.sandbox), base URL rewritten to {SANDBOX_BASE_URL}"
    )
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    header = (
        f"# Recorded against {where} on {today} by scripts/record_cassettes.py.\n"
        f"# Scenario {scenario.name}: {scenario.description}. Secrets replaced by {REDACTED}.\n"
    )
    cassette.write_text(header + cassette.read_text())
    return {
        "recorded_against": "live" if live else "sandbox",
        "recorded_at": today,
        "description": scenario.description,
        "facts": facts,
    }


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", help=f"scenarios to record (default: all): {', '.join(SCENARIOS)}")
    parser.add_argument("--live", action="store_true", help="record against the real API (HEYGEN_API_KEY)")
    args = parser.parse_args(argv)
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    if args.live and not (os.environ.get("HEYGEN_API_KEY") or os.environ.get("HEYGEN_BEARER_TOKEN")):
        parser.error("--live needs HEYGEN_API_KEY (or HEYGEN_BEARER_TOKEN) in the environment")
    names = args.scenarios or list(SCENARIOS)
    out_dir = CASSETTE_DIR / ("live" if args.live else "sandbox")
    out_dir.mkdir(parents=True, exist_ok=True)
    index_path = out_dir / "index.json"
    index: dict[str, Any] = json.loads(index_path.read_text()) if index_path.exists() else {}
    for name in names:
        scenario = SCENARIOS[name]
        if args.live and not scenario.live:
            print(f"skip {name}: not reproducible against the live API")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            index[name] = await record_one(scenario, live=args.live, out_dir=out_dir, workdir=Path(tmp))
        print(f"recorded {name}: {json.dumps(index[name]['facts'])}")
    index_path.write_text(json.dumps(dict(sorted(index.items())), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
