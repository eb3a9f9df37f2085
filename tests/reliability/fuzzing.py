"""What the fuzz and secret-hygiene tests share: value strategies and the checks on every output."""

from __future__ import annotations

import json
import logging
from typing import Any

from hypothesis import strategies as st

from tests.reliability.conftest import FAKE_KEY

__all__ = [
    "INTERESTING",
    "LogCapture",
    "assert_clean",
    "json_values",
    "tokens",
]

# Values that mean something to some argument somewhere: files inside and outside the
# allowed directory, URLs (none reachable off loopback), ids, enum values, odd numbers.
INTERESTING = st.sampled_from(
    [
        "",
        " ",
        "talk.mp4",
        "dub.wav",
        "./talk.mp4",
        "missing.mp4",
        "../../etc/passwd",
        "/etc/passwd",
        "~/x.mp4",
        "out",
        "https://example.invalid/v.mp4",
        "http://example.invalid/v.mp4",
        "http://127.0.0.1:9/v.mp4",
        "file:///etc/passwd",
        "ls_0000000000000000",
        "ls_" + "a" * 300,
        "asset_deadbeef",
        "b_123",
        "speed",
        "precision",
        "cfr",
        "vfr",
        "passthrough",
        "-1",
        "0",
        "1e309",
        "nan",
        "20m",
        "\x00",
        "a,b",
        "😀",
        "{}",
        "[]",
        '{"video": "talk.mp4", "audio": "dub.wav"}',
    ]
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | INTERESTING,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=6,
)

# Command-line tokens: the interesting values, numbers, and text that may look like an option.
tokens = st.one_of(
    INTERESTING,
    st.integers(min_value=-5, max_value=10**6).map(str),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=15),
)


class LogCapture(logging.Handler):
    """Every log record of every logger, formatted with its traceback, for scanning."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def __enter__(self) -> LogCapture:
        root = logging.getLogger()
        self._level = root.level
        root.addHandler(self)
        root.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc: object) -> None:
        root = logging.getLogger()
        root.removeHandler(self)
        root.setLevel(self._level)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def assert_clean(*outputs: Any, where: str, tracebacks_allowed: bool = False) -> None:
    """No secret and (unless asked for, as with the CLI's --debug) no traceback in anything a user or a log shows."""
    for output in outputs:
        text = output if isinstance(output, str) else json.dumps(output, default=str)
        assert FAKE_KEY not in text, f"the API key leaked in {where}: {text[:500]}"
        if not tracebacks_allowed:
            assert "Traceback (most recent call last)" not in text, f"a traceback in {where}: {text[:2000]}"
