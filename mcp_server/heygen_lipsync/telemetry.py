"""Optional OpenTelemetry spans: each create, upload, wait and download, with the lipsync id and HeyGen's request ids.

Off unless ``HEYGEN_LIPSYNC_OTEL`` is ``1`` and the ``opentelemetry-api`` package is installed
(``pip install 'heygen-lipsync[otel]'``); the spans then go to whatever tracer provider the
process set up (an OTLP exporter, a console one, ...), so a team sees a campaign in its tracing.
Every HTTP exchange adds an event to the current span with its method, path, status and
HeyGen's ``x-request-id``. Nothing here is imported by a process that does not trace.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["ENV_OTEL", "SPAN_PREFIX", "enabled", "exchange", "span"]

ENV_OTEL = "HEYGEN_LIPSYNC_OTEL"
SPAN_PREFIX = "heygen_lipsync."


def enabled() -> bool:
    """Whether spans are emitted: the setting is on and OpenTelemetry's API is installed."""
    if (os.environ.get(ENV_OTEL) or "").strip().lower() not in ("1", "true", "yes", "on"):
        return False
    try:
        import opentelemetry.trace  # noqa: F401 - only whether it is there
    except ImportError:
        return False
    return True


class _Span:
    """The span a ``with span(...)`` block sets attributes on (a no-op when tracing is off)."""

    def __init__(self, inner: Any = None) -> None:
        self._inner = inner

    def set(self, name: str, value: Any) -> None:
        """Set an attribute (``heygen.<name>``) when there is a value and tracing is on."""
        if self._inner is not None and value is not None:
            self._inner.set_attribute(f"heygen.{name}", value)


@contextmanager
def span(name: str, **attributes: Any) -> Iterator[_Span]:
    """A span ``heygen_lipsync.<name>`` around the block, with ``heygen.<key>`` attributes; an error is recorded."""
    if not enabled():
        yield _Span()
        return
    from opentelemetry import trace

    tracer = trace.get_tracer("heygen_lipsync")
    with tracer.start_as_current_span(SPAN_PREFIX + name) as current:
        wrapped = _Span(current)
        for key, value in attributes.items():
            wrapped.set(key, value)
        yield wrapped


def exchange(method: str, path: str, status: int, request_id: str | None) -> None:
    """Note one HTTP exchange (HeyGen's request id among it) on the current span, when tracing is on."""
    if not enabled():
        return
    from opentelemetry import trace

    current = trace.get_current_span()
    if current.is_recording():
        fields: dict[str, Any] = {"http.method": method, "http.path": path, "http.status": status}
        if request_id:
            fields["heygen.request_id"] = request_id
        current.add_event("heygen.http", fields)
