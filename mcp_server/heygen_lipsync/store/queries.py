"""The ledger's reading side: lookups by fingerprint, key, id, content and day, the same on every backend."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from heygen_lipsync.store.dialect import Conn, Dialect
from heygen_lipsync.store.records import JobRecord
from heygen_lipsync.store.settings import DAY

__all__ = ["Queries"]

T = TypeVar("T")


class Queries:
    """Reading the ledger (a base of ``Ledger``, which supplies the connection and its guard)."""

    dialect: Dialect

    def _guard(self, fallback: T, work: Callable[[Conn], T]) -> T:
        raise NotImplementedError

    def _select(self, sql: str, args: tuple[Any, ...] = ()) -> list[JobRecord]:
        raise NotImplementedError

    def remember_probe(self, sha256: str, probe: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def get(self, row_id: int) -> JobRecord | None:
        """One record by its row id."""
        found = self._select("SELECT * FROM jobs WHERE id = ?", (row_id,))
        return found[0] if found else None

    def find_by_fingerprint(self, fingerprint: str, *, base_url: str) -> list[JobRecord]:
        """Every record of creates with this fingerprint against ``base_url``, newest first."""
        return self._select(
            "SELECT * FROM jobs WHERE fingerprint = ? AND base_url = ? ORDER BY id DESC", (fingerprint, base_url)
        )

    def find_by_key(self, idempotency_key: str, *, base_url: str) -> JobRecord | None:
        """The newest create record made with this Idempotency-Key against ``base_url``."""
        found = self._select(
            "SELECT * FROM jobs WHERE idempotency_key = ? AND base_url = ? AND kind != 'upload' ORDER BY id DESC"
            " LIMIT 1",
            (idempotency_key, base_url),
        )
        return found[0] if found else None

    def find_by_id(self, remote_id: str) -> JobRecord | None:
        """The newest record of a lipsync, batch or asset id (or a row id given as digits)."""
        if remote_id.isdigit():
            return self.get(int(remote_id))
        found = self._select(
            # A batch's own record before the item records that name it (they carry its batch_id too).
            "SELECT * FROM jobs WHERE lipsync_id = ? OR batch_id = ? OR asset_id = ?"
            " ORDER BY CASE WHEN kind = 'batch_item' THEN 1 ELSE 0 END, id DESC LIMIT 1",
            (remote_id, remote_id, remote_id),
        )
        return found[0] if found else None

    def find_download(self, path: str | os.PathLike[str]) -> JobRecord | None:
        """The newest lipsync record whose video was saved at ``path``."""
        target = str(Path(path).resolve())
        for record in self._select("SELECT * FROM jobs WHERE kind = 'lipsync' AND downloads != '[]' ORDER BY id DESC"):
            if any(d.get("path") == target for d in record.downloads):
                return record
        return None

    def recent(self, *, limit: int | None = 20, kinds: tuple[str, ...] = ("lipsync", "batch")) -> list[JobRecord]:
        """Records newest first (creates only by default); ``limit=None`` for all."""
        marks = ", ".join("?" for _ in kinds)
        sql = f"SELECT * FROM jobs WHERE kind IN ({marks}) ORDER BY id DESC"  # noqa: S608 - placeholders only
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._select(sql, kinds)

    def asset_for(self, sha256: str, *, base_url: str, max_age_days: float) -> str | None:
        """The asset id of a file with this content uploaded within ``max_age_days``, or None."""
        since = time.time() - max_age_days * DAY
        digest = self.dialect.json_text("hashes", "file")
        found = self._select(
            "SELECT * FROM jobs WHERE kind = 'upload' AND base_url = ? AND asset_id IS NOT NULL AND created_at >= ?"  # noqa: S608
            f" AND {digest} = ? AND status != 'gone' ORDER BY id DESC LIMIT 1",
            (base_url, since, sha256),
        )
        return found[0].asset_id if found else None

    def may_have_asset_of_size(self, size_bytes: int, *, base_url: str, max_age_days: float) -> bool:
        """Whether a reusable upload within ``max_age_days`` could have this size.

        A file's content can match a remembered asset only if its size does: when none has
        it, the upload need not hash the file before sending it. Uploads recorded before the
        size was kept count as a possible match.
        """
        since = time.time() - max_age_days * DAY
        size = self.dialect.json_text("inputs", "size_bytes")

        def work(conn: Conn) -> bool:
            row = conn.execute(
                "SELECT 1 FROM jobs WHERE kind = 'upload' AND base_url = ? AND asset_id IS NOT NULL"  # noqa: S608
                f" AND created_at >= ? AND status != 'gone' AND ({size} = ? OR {size} IS NULL) LIMIT 1",
                (base_url, since, str(int(size_bytes))),
            ).fetchone()
            return row is not None

        return self._guard(True, work)

    def jobs_using_asset(self, asset_id: str) -> list[JobRecord]:
        """The create records (lipsync, batch) whose local files had the content uploaded as ``asset_id``."""
        digest = self._uploaded_digest(asset_id)
        if not digest:
            return []
        found = self._select(
            "SELECT * FROM jobs WHERE kind IN ('lipsync', 'batch') AND hashes LIKE ? ORDER BY id DESC",
            (f"%{digest}%",),
        )
        return [r for r in found if digest in r.hashes.values()]

    def spent_since(self, since: float) -> tuple[int, float]:
        """Jobs created (or of unknown outcome) since ``since`` (epoch seconds), and their estimated USD."""

        def work(conn: Conn) -> tuple[int, float]:
            rows = conn.execute(
                "SELECT inputs, estimate_usd, kind FROM jobs WHERE created_at >= ? AND kind != 'upload'"
                " AND status != 'refused'",
                (since,),
            ).fetchall()
            jobs = sum(int(json.loads(r["inputs"]).get("items", 1)) if r["kind"] == "batch" else 1 for r in rows)
            return jobs, float(sum(r["estimate_usd"] or 0.0 for r in rows))

        return self._guard((0, 0.0), work)

    # -- media probes (preflight) ---------------------------------------------------------

    def probe_for(self, sha256: str) -> dict[str, Any] | None:
        """The remembered probe of a file's content, or None."""

        def work(conn: Conn) -> dict[str, Any] | None:
            row = conn.execute("SELECT probe FROM probes WHERE sha256 = ?", (sha256,)).fetchone()
            return dict(json.loads(row["probe"])) if row else None

        return self._guard(None, work)

    def probe_for_asset(self, asset_id: str) -> dict[str, Any] | None:
        """The remembered probe of the file uploaded as ``asset_id``, or None."""
        digest = self._uploaded_digest(asset_id)
        return self.probe_for(digest) if digest else None

    def remember_asset_probe(self, asset_id: str, probe: Mapping[str, Any]) -> bool:
        """Keep the probe of the file this install uploaded as ``asset_id``; False when no upload of it is recorded."""
        digest = self._uploaded_digest(asset_id)
        if digest:
            self.remember_probe(digest, probe)
        return bool(digest)

    def upload_stamp(self, asset_id: str) -> tuple[Path, int, int] | None:
        """The file this install uploaded as ``asset_id``: its path, size and modification time (ns), if recorded."""
        record = self.find_by_id(asset_id)
        if record is None or record.kind != "upload":
            return None
        # abs_path: the file wherever this process runs (a relative "file" names it from the uploader's folder).
        path, size, mtime_ns = (record.inputs.get(k) for k in ("abs_path", "size_bytes", "mtime_ns"))
        if not isinstance(path, str) or not isinstance(size, int) or not isinstance(mtime_ns, int):
            return None
        return Path(path), size, mtime_ns

    def _uploaded_digest(self, asset_id: str) -> str | None:
        """The SHA-256 of the file uploaded as ``asset_id``, from its upload record."""
        record = self.find_by_id(asset_id)
        return record.hashes.get("file") if record is not None and record.kind == "upload" else None
