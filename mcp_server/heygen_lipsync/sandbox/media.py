"""Media work of the sandbox: sniffing uploads, probing sources, muxing outputs.

The output of a sandbox job is the source video with the replacement audio as its
soundtrack. Lips are NOT re-animated. PyAV (`av`, the `sandbox` extra) is imported
lazily, so the sandbox serves everything else without it; jobs then fail with a
message that says how to install it.
"""

from __future__ import annotations

import math
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

__all__ = [
    "MediaError",
    "MuxResult",
    "Probe",
    "mux",
    "probe",
    "sniff_bytes",
    "write_caption",
]

_SRT_TIMING = re.compile(rb"\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}")
# Containers PyAV can copy an encoded video stream into MP4 from without re-encoding.
_COPYABLE_VIDEO = {"h264", "hevc", "mpeg4", "av1"}
_AAC_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000)

INSTALL_HINT = "the sandbox needs PyAV to produce outputs: pip install 'heygen-lipsync[sandbox]'"


class MediaError(Exception):
    """A source cannot be used; the message becomes the job's failure_message."""


def sniff_bytes(head: bytes) -> str | None:
    """The media type of a file from its first bytes (at least 64), or None if unsupported.

    Supported: png, jpeg, mp4 (and QuickTime), webm, mp3, wav, pdf, srt.
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if re.match(rb"\d+\s*\r?\n", text) and _SRT_TIMING.search(text):
        return "application/x-subrip"
    return None


def _av() -> Any:
    try:
        import av
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise MediaError(INSTALL_HINT) from None
    return av


@dataclass(frozen=True)
class Probe:
    """What a media file holds."""

    has_video: bool
    has_audio: bool
    duration: float


def _open(path: Path, role: str) -> Any:
    av = _av()
    try:
        return av.open(str(path))
    except av.FFmpegError as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise MediaError(f"the {role} source is not a media file the sandbox can read ({reason})") from None


def _stream_duration(stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return None


def probe(path: Path, role: str = "video") -> Probe:
    """Streams and duration (seconds) of a media file.

    Raises:
        MediaError: the file cannot be read as media.
    """
    with _open(path, role) as container:
        has_video = bool(container.streams.video)
        has_audio = bool(container.streams.audio)
        durations = [d for s in container.streams if (d := _stream_duration(s)) is not None]
        if durations:
            duration = max(durations)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        else:
            duration = 0.0
    return Probe(has_video=has_video, has_audio=has_audio, duration=duration)


@dataclass(frozen=True)
class MuxResult:
    """The output file's real duration and whether the video stream was copied."""

    duration: float
    video_copied: bool


def mux(
    video: Path,
    audio: Path,
    out: Path,
    *,
    start_time: float | None = None,
    end_time: float | None = None,
    dynamic_duration: bool = True,
) -> MuxResult:
    """Write `out` (MP4): the video segment [start_time, end_time) with `audio` as its soundtrack.

    With `dynamic_duration` the output lasts as long as the audio (the video segment is
    cut short or looped); without it, as long as the video segment (audio cut or padded
    with silence). The video stream is copied when the segment starts at 0 and needs no
    looping and its codec fits MP4; otherwise it is re-encoded to H.264. Audio is always
    encoded to AAC. The file is written beside `out` and renamed into place.

    Raises:
        MediaError: a source is unreadable, lacks the needed stream, or the times are out of range.
    """
    vprobe = probe(video, "video")
    if not vprobe.has_video:
        raise MediaError("the video source has no video stream")
    aprobe = probe(audio, "audio")
    if not aprobe.has_audio:
        raise MediaError("the audio source has no audio stream")
    start = start_time or 0.0
    if start >= vprobe.duration:
        raise MediaError(f"start_time {start:g} s is beyond the video's duration ({vprobe.duration:.3f} s)")
    end = vprobe.duration if end_time is None else min(end_time, vprobe.duration)
    if end <= start:
        raise MediaError(f"end_time {end:g} s must be after start_time {start:g} s")
    segment = end - start
    target = aprobe.duration if dynamic_duration else segment
    if target <= 0:
        raise MediaError("the audio source is empty")

    # A unique name: two processes on one data directory may produce the same job at once.
    tmp = out.with_name(f"{out.name}.{secrets.token_hex(4)}.partial")
    av = _av()
    try:
        with av.open(str(tmp), "w", format="mp4") as output, _open(audio, "audio") as audio_source:
            # All streams exist before the first packet is written; packets are then
            # interleaved by time so the muxer never buffers a whole stream in memory.
            copied, video_packets = _video_packets(video, output, start, segment, target)
            audio_packets = _audio_packets(audio_source, output, target)
            for packet in _interleave(video_packets, audio_packets):
                output.mux(packet)
    except av.FFmpegError as exc:
        tmp.unlink(missing_ok=True)
        raise MediaError(f"could not produce the output video ({exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)
    return MuxResult(duration=round(probe(out).duration, 3), video_copied=copied)


def _packet_time(packet: Any) -> float:
    ts = packet.dts if packet.dts is not None else packet.pts
    return float(ts * packet.time_base) if ts is not None and packet.time_base else 0.0


def _interleave(first: Iterator[Any], second: Iterator[Any]) -> Iterator[Any]:
    a, b = next(first, None), next(second, None)
    while a is not None or b is not None:
        if b is None or (a is not None and _packet_time(a) <= _packet_time(b)):
            yield a
            a = next(first, None)
        else:
            yield b
            b = next(second, None)


def _video_packets(path: Path, output: Any, start: float, segment: float, target: float) -> tuple[bool, Iterator[Any]]:
    with _open(path, "video") as source:
        stream = source.streams.video[0]
        copyable = start == 0 and target <= segment + 1e-3 and stream.codec_context.name in _COPYABLE_VIDEO
        rate = Fraction(stream.average_rate or stream.guessed_rate or 25).limit_denominator(1001)
        width, height = stream.codec_context.width, stream.codec_context.height
    if copyable:
        return True, _copied_packets(path, output, target)
    out_stream = output.add_stream("libx264" if "libx264" in _av().codecs_available else "mpeg4", rate=rate)
    out_stream.width, out_stream.height = width - width % 2, height - height % 2
    out_stream.pix_fmt = "yuv420p"
    return False, _encoded_packets(path, out_stream, rate, start, segment, target)


def _copied_packets(path: Path, output: Any, target: float) -> Iterator[Any]:
    source = _open(path, "video")
    stream = source.streams.video[0]
    out_stream = output.add_stream_from_template(stream)

    def packets() -> Iterator[Any]:
        with source:
            limit = int(target / stream.time_base) if stream.time_base else None
            first: int | None = None
            for packet in source.demux(stream):
                if packet.dts is None or packet.pts is None:
                    continue
                if first is None:
                    first = packet.pts
                if limit is not None and packet.pts - first >= limit:
                    continue  # B-frames may still follow in decode order; keep scanning
                packet.stream = out_stream
                yield packet

    return packets()


def _segment_frames(path: Path, start: float, segment: float) -> Iterator[Any]:
    """Decoded frames of [start, start+segment), forever (the segment loops)."""
    while True:
        produced = False
        with _open(path, "video") as source:
            stream = source.streams.video[0]
            if start > 0:
                source.seek(int(start / stream.time_base), stream=stream, backward=True)
            for frame in source.decode(stream):
                t = frame.time
                if t is None or t < start - 1e-6:
                    continue
                if t >= start + segment - 1e-6:
                    break
                produced = True
                yield frame
        if not produced:
            raise MediaError("the video segment holds no frames")


def _encoded_packets(
    path: Path, out_stream: Any, rate: Fraction, start: float, segment: float, target: float
) -> Iterator[Any]:
    total = max(1, round(target * rate))
    for index, frame in zip(range(total), _segment_frames(path, start, segment), strict=False):
        converted = frame.reformat(width=out_stream.width, height=out_stream.height, format="yuv420p")
        converted.pts = index
        converted.time_base = 1 / rate
        yield from out_stream.encode(converted)
    yield from out_stream.encode(None)


def _silence(av: Any, fmt: str, layout: str, rate: int, samples: int) -> Any:
    frame = av.AudioFrame(format=fmt, layout=layout, samples=samples)
    for plane in frame.planes:
        plane.update(bytes(plane.buffer_size))
    frame.sample_rate = rate
    return frame


def _truncate(av: Any, frame: Any, samples: int) -> Any:
    """A copy of the first `samples` samples of a planar float frame."""
    cut = av.AudioFrame(format=frame.format.name, layout=frame.layout.name, samples=samples)
    width = frame.format.bytes
    for src, dst in zip(frame.planes, cut.planes, strict=True):
        data = bytes(src)[: samples * width]
        dst.update(data + bytes(dst.buffer_size - len(data)))
    cut.sample_rate = frame.sample_rate
    return cut


def _audio_packets(source: Any, output: Any, target: float) -> Iterator[Any]:
    av = _av()
    stream = source.streams.audio[0]
    in_rate = stream.codec_context.sample_rate or 48000
    rate = in_rate if in_rate in _AAC_RATES else 48000
    layout = "mono" if stream.codec_context.channels == 1 else "stereo"
    out_stream = output.add_stream("aac", rate=rate, layout=layout)
    frame_size = out_stream.codec_context.frame_size or 1024
    needed = math.ceil(target * rate)

    def frames() -> Iterator[Any]:
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate, frame_size=frame_size)
        for decoded in source.decode(stream):
            yield from resampler.resample(decoded)
        yield from resampler.resample(None)
        while True:
            yield _silence(av, "fltp", layout, rate, frame_size)

    def packets() -> Iterator[Any]:
        written = 0
        for frame in frames():
            if written >= needed:
                break
            if written + frame.samples > needed:
                frame = _truncate(av, frame, needed - written)
            frame.pts = written
            frame.time_base = Fraction(1, rate)
            written += frame.samples
            yield from out_stream.encode(frame)
        yield from out_stream.encode(None)

    return packets()


def _srt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{millis:03d}"


def write_caption(out: Path, duration: float) -> None:
    """Write a one-cue SRT covering the output, saying what the sandbox did."""
    text = (
        f"1\n00:00:00,000 --> {_srt_time(duration)}\n"
        "[HeyGen Lipsync sandbox] audio replaced; lips not re-animated; no speech recognition.\n"
    )
    out.write_text(text, encoding="utf-8")
