"""Peak memory of a large upload through the library's direct-upload path (a benchmark, not a test).

    python scripts/bench/upload_memory.py              # 512 MiB sparse file
    python scripts/bench/upload_memory.py --size-mb 2048

Generates a sparse file (an MP4 header, then holes) of the given size, serves a minimal
local stand-in for HeyGen's direct-upload endpoints and storage in a separate process, and
uploads the file with ``AsyncLipsyncClient.upload``: SHA-256 pass, presign, streamed PUT,
complete. Prints the client process's peak RSS before and after: it should not grow with
the file size (the file is read in 1 MiB chunks, never held in memory).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import resource
import socket
import struct
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MIB = 1024 * 1024


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (MIB if sys.platform == "darwin" else 1024)


def make_sparse_mp4(path: Path, size: int) -> None:
    header = struct.pack(">I", 24) + b"ftypisom" + b"\0\0\0\0" + b"isomiso2"
    with open(path, "wb") as fh:
        fh.write(header)
        fh.truncate(size)


class Handler(BaseHTTPRequestHandler):
    uploads: dict[str, tuple[int, str]] = {}  # noqa: RUF012 - one server process, shared on purpose

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _read_json(self) -> dict[str, object]:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        body = json.loads(raw)
        return body if isinstance(body, dict) else {}

    def do_POST(self) -> None:
        host = self.headers["host"]
        if self.path == "/v3/assets/direct-uploads":
            body = self._read_json()
            asset_id = f"asset_{len(self.uploads) + 1}"
            self._json(
                200,
                {
                    "data": {
                        "asset_id": asset_id,
                        "upload_url": f"http://{host}/storage/{asset_id}",
                        "upload_headers": {"Content-Type": body.get("content_type")},
                        "expires_in_seconds": 900,
                        "max_bytes": body.get("size_bytes"),
                        "status": "pending_upload",
                    }
                },
            )
        elif self.path.endswith("/complete"):
            asset_id = self.path.split("/")[3]
            body = self._read_json()
            size, digest = self.uploads.get(asset_id, (0, ""))
            if body.get("checksum_sha256") != digest:
                self._json(400, {"error": {"code": "invalid_parameter", "message": "checksum mismatch"}})
                return
            self._json(
                200,
                {
                    "data": {
                        "asset_id": asset_id,
                        "url": None,
                        "mime_type": "video/mp4",
                        "size_bytes": size,
                        "status": "uploaded",
                    }
                },
            )
        else:
            self._json(404, {"error": {"code": "not_found", "message": self.path}})

    def do_PUT(self) -> None:
        if "authorization" in self.headers or "x-api-key" in self.headers:
            self._json(400, {"error": {"code": "invalid_parameter", "message": "credentials sent to storage"}})
            return
        remaining = int(self.headers["content-length"])
        digest = hashlib.sha256()
        size = 0
        while remaining:
            chunk = self.rfile.read(min(remaining, MIB))
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
            remaining -= len(chunk)
        self.uploads[self.path.rsplit("/", 1)[-1]] = (size, digest.hexdigest())
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()


def serve(port: int) -> None:
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run(path: Path, port: int) -> None:
    from heygen_lipsync import AsyncLipsyncClient

    async with AsyncLipsyncClient(api_key="bench-key", base_url=f"http://127.0.0.1:{port}") as client:
        before = peak_rss_mib()
        start = time.perf_counter()
        asset = await client.upload(path)
        elapsed = time.perf_counter() - start
        after = peak_rss_mib()
    size_mib = path.stat().st_size / MIB
    print(f"uploaded {size_mib:.0f} MiB as {asset.asset_id} ({asset.size_bytes} bytes) in {elapsed:.1f}s")
    print(f"peak RSS before upload: {before:.1f} MiB; after: {after:.1f} MiB; growth: {after - before:.1f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=512, help="file size in MiB (default 512)")
    args = parser.parse_args()
    port = free_port()
    server = multiprocessing.Process(target=serve, args=(port,), daemon=True)
    server.start()
    try:
        time.sleep(0.3)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "big.mp4"
            make_sparse_mp4(path, args.size_mb * MIB)
            asyncio.run(run(path, port))
    finally:
        server.terminate()
        server.join()
    return 0


if __name__ == "__main__":
    os.environ.pop("HEYGEN_API_KEY", None)
    sys.exit(main())
