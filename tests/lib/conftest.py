"""Fixtures for the library's tests: a fake API, a client on it, and a fake clock."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from heygen_lipsync import AsyncLipsyncClient
from heygen_lipsync import polling as waiting
from heygen_lipsync._transport import http as _http
from tests.lib.fakeapi import API_KEY, BASE_URL, FakeHeyGen


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class FakeClock:
    """Replaces every sleep in the library: records delays and advances time instantly."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(_http, "_sleep", fake.sleep)
    monkeypatch.setattr(waiting, "_sleep", fake.sleep)
    monkeypatch.setattr(waiting, "_monotonic", fake.monotonic)
    monkeypatch.setattr(waiting, "_started", OrderedDict())  # job ages are per clock
    return fake


@pytest.fixture
def fake() -> FakeHeyGen:
    return FakeHeyGen()


@pytest.fixture
async def client(fake: FakeHeyGen, clock: FakeClock) -> AsyncIterator[AsyncLipsyncClient]:
    async with AsyncLipsyncClient(api_key=API_KEY, base_url=BASE_URL, transport=fake.transport()) as c:
        yield c
