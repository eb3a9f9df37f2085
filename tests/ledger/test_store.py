"""Choosing and opening the store: one setting picks it, schemas migrate once, a bad store never leaks a secret."""

from __future__ import annotations

import logging
import multiprocessing
import socket

import pytest

from heygen_lipsync.errors import ConfigurationError
from heygen_lipsync.store import SCHEMA_VERSION, Ledger, open_default
from tests.ledger.stores import Store, postgres_schema


def _open_and_record(target: str, n: int, out: multiprocessing.Queue) -> None:
    ledger = Ledger.open(target)
    row = ledger.record(kind="lipsync", base_url="https://api.example", fingerprint=f"fp{n}")
    out.put((ledger.usable, row is not None, ledger.failure))


def test_eight_processes_starting_on_an_empty_store_migrate_it_once_and_all_use_it(store: Store) -> None:
    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = ctx.Queue()
    procs = [ctx.Process(target=_open_and_record, args=(store.target, n, out)) for n in range(8)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    results = [out.get(timeout=5) for _ in procs]
    assert results == [(True, True, None)] * 8
    ledger = store.open()
    assert len(ledger.recent(limit=None)) == 8
    version = "PRAGMA user_version" if store.kind == "sqlite" else "SELECT version FROM store_schema"
    assert store.rows(version) == [(SCHEMA_VERSION,)]


def test_a_store_of_a_newer_version_is_not_used_and_says_why(store: Store) -> None:
    store.open().close()
    if store.kind == "sqlite":
        import sqlite3

        with sqlite3.connect(store.target) as conn:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    else:
        import psycopg

        with psycopg.connect(store.target) as conn:
            conn.execute("UPDATE store_schema SET version = version + 1")
    ledger = store.open()
    assert not ledger.usable
    assert f"schema version {SCHEMA_VERSION + 1} is newer" in (ledger.failure or "")


def test_the_database_url_picks_the_store_for_every_process(store: Store) -> None:
    ledger = open_default()  # what every client, CLI command and MCP server opens
    assert ledger is not None and ledger.usable
    ledger.record(kind="lipsync", base_url="https://api.example", fingerprint="fp", idempotency_key="k")
    other = store.open()  # another process naming the same store
    assert other.find_by_key("k", base_url="https://api.example") is not None


@pytest.mark.parametrize("url", ["mysql://db.example/jobs", "db.example:5432/jobs"])
def test_a_database_url_of_another_kind_is_refused_by_name(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEYGEN_LIPSYNC_DATABASE_URL", url)
    with pytest.raises(ConfigurationError, match="HEYGEN_LIPSYNC_DATABASE_URL must be a PostgreSQL URL"):
        open_default()


def test_a_sqlite_url_names_a_file(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEYGEN_LIPSYNC_DATABASE_URL", f"sqlite:///{tmp_path / 'team.sqlite3'}")
    ledger = open_default()
    assert ledger is not None and ledger.usable and (tmp_path / "team.sqlite3").is_file()


def test_an_unreachable_database_is_not_used_and_its_password_is_never_shown(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("psycopg")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://team:s3cret-pw@127.0.0.1:{port}/jobs"
    monkeypatch.setenv("HEYGEN_LIPSYNC_DATABASE_URL", url)
    with caplog.at_level(logging.WARNING, logger="heygen_lipsync.store"):
        ledger = open_default()
    assert ledger is not None and not ledger.usable and ledger.failure
    assert f"postgresql://team@127.0.0.1:{port}/jobs" in caplog.text
    assert "s3cret-pw" not in caplog.text + str(ledger.failure) + str(ledger.path)


def test_a_shared_store_whose_connection_was_cut_is_used_again_once_the_server_answers(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    monkeypatch.setattr("heygen_lipsync.store.ledger._RECONNECT_SECONDS", 0.0)
    with postgres_schema(postgres_url) as url:
        ledger = Ledger.open(url)
        first = ledger.record(kind="lipsync", base_url="https://api.example", fingerprint="a")
        pid = ledger._guard(None, lambda conn: conn.execute("SELECT pg_backend_pid() AS pid").fetchone()["pid"])
        with psycopg.connect(url, autocommit=True) as admin:  # the server restarts, or a proxy drops the line
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        ledger.record(kind="lipsync", base_url="https://api.example", fingerprint="b")  # fails: skipped, noted
        assert ledger.usable  # connects again
        second = ledger.record(kind="lipsync", base_url="https://api.example", fingerprint="c")
        assert first is not None and second is not None
        assert {r.fingerprint for r in ledger.recent(limit=None)} >= {"a", "c"}
