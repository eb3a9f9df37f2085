#!/usr/bin/env python3
"""Make the sandbox's tiny sample inputs (committed; rerun to reproduce them).

    python scripts/make_samples.py

Writes mcp_server/heygen_lipsync/sandbox/samples/:
- sample.mp4: 4 s, 160x120 at 10 fps H.264 (a moving bar on a colour ramp) with a
  quiet 220 Hz AAC tone as its "original" soundtrack;
- sample.wav: 3 s, 16 kHz mono PCM, three rising beeps: the "replacement" audio.

Everything is computed (no randomness, single-threaded encoder, bit-exact muxing), so
the same PyAV build writes the same bytes. Needs PyAV: pip install -e '.[sandbox]'.
"""

from __future__ import annotations

import argparse
import math
import struct
import sys
import wave
from fractions import Fraction
from pathlib import Path

import av

OUT = Path(__file__).resolve().parent.parent / "mcp_server" / "heygen_lipsync" / "sandbox" / "samples"
WIDTH, HEIGHT, FPS, VIDEO_SECONDS = 160, 120, 10, 4
AUDIO_RATE, AUDIO_SECONDS = 16000, 3


def _plane_bytes(plane: av.video.plane.VideoPlane, rows: list[bytes]) -> bytes:
    pad = plane.line_size - len(rows[0])
    return b"".join(row + bytes(pad) for row in rows)


def _frame(index: int) -> av.VideoFrame:
    frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
    bar = (index * 4) % WIDTH
    luma = [bytes(235 if abs(x - bar) < 6 else 40 + x for x in range(WIDTH)) for _ in range(HEIGHT)]
    frame.planes[0].update(_plane_bytes(frame.planes[0], luma))
    u_rows = [bytes([(90 + y * 2) % 256] * (WIDTH // 2)) for y in range(HEIGHT // 2)]
    v_rows = [bytes([(160 + index * 3) % 256] * (WIDTH // 2)) for _ in range(HEIGHT // 2)]
    frame.planes[1].update(_plane_bytes(frame.planes[1], u_rows))
    frame.planes[2].update(_plane_bytes(frame.planes[2], v_rows))
    frame.pts = index
    frame.time_base = Fraction(1, FPS)
    return frame


def make_video(path: Path) -> None:
    with av.open(str(path), "w", format="mp4", options={"fflags": "+bitexact"}) as out:
        video = out.add_stream("libx264", rate=FPS, options={"preset": "veryfast", "crf": "30", "bf": "0"})
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.codec_context.thread_count = 1
        video.codec_context.flags |= av.codec.context.Flags.bitexact
        audio = out.add_stream("aac", rate=AUDIO_RATE, layout="mono")
        audio.codec_context.flags |= av.codec.context.Flags.bitexact
        for index in range(FPS * VIDEO_SECONDS):
            for packet in video.encode(_frame(index)):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        frame_size = audio.codec_context.frame_size or 1024
        total = AUDIO_RATE * VIDEO_SECONDS
        for start in range(0, total, frame_size):
            count = min(frame_size, total - start)
            samples = [0.1 * math.sin(2 * math.pi * 220 * (start + i) / AUDIO_RATE) for i in range(count)]
            frame = av.AudioFrame(format="flt", layout="mono", samples=count)
            frame.planes[0].update(struct.pack(f"<{count}f", *samples) + bytes(frame.planes[0].buffer_size - 4 * count))
            frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, start, Fraction(1, AUDIO_RATE)
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode(None):
            out.mux(packet)


def make_audio(path: Path) -> None:
    samples = []
    for i in range(AUDIO_RATE * AUDIO_SECONDS):
        t = i / AUDIO_RATE
        beep, within = divmod(t, 1.0)
        amplitude = 0.4 if within < 0.6 else 0.0
        samples.append(int(32767 * amplitude * math.sin(2 * math.pi * (440 * (1 + beep / 2)) * t)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(AUDIO_RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    make_video(OUT / "sample.mp4")
    make_audio(OUT / "sample.wav")
    for name in ("sample.mp4", "sample.wav"):
        print(f"{OUT / name}: {(OUT / name).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
