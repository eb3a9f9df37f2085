"""Fuzzing every MCP tool with generated arguments: no crash, no traceback, no secret, errors say what was wrong.

The server runs in paid mode (spend gate on) against a sandbox that accepts only the fake
key, so arguments that happen to be valid go all the way to the API and back. It is driven
through the SDK's in-memory client on an event loop in a portal thread, so hypothesis can
call it from a plain synchronous test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anyio.from_thread
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from heygen_lipsync.config import Settings
from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.settings import ServerSettings
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox
from tests.reliability.conftest import FAKE_KEY
from tests.reliability.fuzzing import INTERESTING, LogCapture, assert_clean, json_values
from tests.reliability.scenarios import sandbox_config

TOOLS = (
    "create_lipsync",
    "get_lipsync",
    "list_lipsyncs",
    "update_lipsync",
    "delete_lipsync",
    "wait_for_lipsync",
    "upload_asset",
    "download_lipsync",
    "create_lipsync_batch",
    "get_lipsync_batch",
)
# Codes that say which argument or input was wrong; the error must then name it in `param`.
ARGUMENT_CODES = {"invalid_argument", "validation_error"}


@dataclass
class Harness:
    portal: anyio.from_thread.BlockingPortal
    client: Client
    schemas: dict[str, dict[str, Any]]
    logs: LogCapture

    def call(self, tool: str, arguments: dict[str, Any]) -> Any:
        return self.portal.call(self.client.call_tool, tool, arguments)


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    root = tmp_path_factory.mktemp("fuzz-mcp").resolve()
    shutil.copy(SAMPLE_VIDEO, root / "talk.mp4")
    shutil.copy(SAMPLE_AUDIO, root / "dub.wav")
    server_settings = ServerSettings(
        allowed_dirs=(root,), output_dir=root / "out", poll_interval=0.02, wait_seconds=2, max_wait_seconds=3
    )
    with LogCapture() as logs, EmbeddedSandbox(sandbox_config(api_key=FAKE_KEY)) as upstream:
        server = build_server(
            server_settings,
            library_settings=Settings(api_key=FAKE_KEY, base_url=upstream.base_url, max_retries=0),
        )
        with (
            anyio.from_thread.start_blocking_portal("asyncio") as portal,
            portal.wrap_async_context_manager(Client(server)) as client,
        ):
            listed = portal.call(client.list_tools)
            schemas = {tool.name: tool.input_schema for tool in listed.tools}
            yield Harness(portal, client, schemas, logs)


def _typed(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A value of the schema's own type most of the time, drawn from interesting ones."""
    options = schema.get("anyOf", [schema])
    strategies: list[st.SearchStrategy[Any]] = []
    for option in options:
        kind = option.get("type")
        if "enum" in option:
            strategies.append(st.sampled_from(option["enum"]))
        elif kind == "string":
            strategies += [INTERESTING, INTERESTING, st.text(max_size=30)]
        elif kind == "integer":
            strategies.append(st.integers(min_value=-5, max_value=200))
        elif kind == "number":
            strategies.append(st.floats(min_value=-5, max_value=1e6, allow_nan=False))
        elif kind == "boolean":
            strategies.append(st.booleans())
        elif kind == "null":
            strategies.append(st.none())
    return st.one_of(*strategies) if strategies else json_values


def _one_source(kind: str, path: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.fixed_dictionaries({f"{kind}_path": st.sampled_from([path, "missing.mp4", "../outside.mp4"])}),
        st.fixed_dictionaries(
            {f"{kind}_url": st.sampled_from(["https://example.invalid/x.mp4", "http://127.0.0.1:9/x"])}
        ),
        st.fixed_dictionaries({f"{kind}_asset_id": INTERESTING}),
    )


# Exactly one video and one audio source, as a correct caller gives them.
SOURCES = st.tuples(_one_source("video", "talk.mp4"), _one_source("audio", "dub.wav")).map(lambda t: {**t[0], **t[1]})


def _with_sources(rest: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(rest, SOURCES).map(lambda t: {**t[0], **t[1]})


def _arguments(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties: dict[str, Any] = schema.get("properties", {})
    names = sorted(properties)
    # The batch items' fields, from the schema's own definitions (whatever the model is called).
    item_fields = sorted(
        {field for definition in schema.get("$defs", {}).values() for field in definition.get("properties", {})}
    )
    item = st.fixed_dictionaries(
        {},
        optional={name: st.one_of(INTERESTING, st.booleans(), st.floats(-5, 100), st.none()) for name in item_fields},
    )
    typed = {name: _typed(spec) for name, spec in properties.items()}
    if "items" in typed:
        typed["items"] = st.lists(st.one_of(item, _with_sources(item)), min_size=0, max_size=3)
    # Mostly well-typed arguments (so calls get past the schema into the tools and the API),
    # sometimes anything at all under any name.
    required = set(schema.get("required", []))
    well_typed = st.fixed_dictionaries(
        {k: v for k, v in typed.items() if k in required},
        optional={k: v for k, v in typed.items() if k not in required},
    )
    junk = st.lists(st.tuples(st.sampled_from([*names, "unknown_argument"]), json_values), max_size=len(names) + 1).map(
        dict
    )
    if "video_path" in properties:
        others = {k: v for k, v in typed.items() if not k.startswith(("video_", "audio_"))}
        plausible = _with_sources(st.fixed_dictionaries({}, optional=others))
        return st.one_of(plausible, plausible, well_typed, junk)
    return st.one_of(well_typed, well_typed, well_typed, junk)


def check_result(harness: Harness, tool: str, arguments: dict[str, Any], result: Any, log_start: int) -> None:
    where = f"{tool}({arguments!r})"
    texts = [getattr(block, "text", "") for block in result.content]
    assert_clean(*texts, result.structured_content or {}, result.meta or {}, where=where)
    new_logs = harness.logs.lines[log_start:]
    assert_clean("\n".join(new_logs), where=f"the logs of {where}")
    if result.is_error:
        # The error object is in _meta: structuredContent must match the success outputSchema.
        assert result.structured_content is None, f"{where}: an error in structuredContent"
        error = (result.meta or {}).get("heygen-lipsync/error")
        assert isinstance(error, dict), f"{where}: an error without its error object: {texts}"
        assert error.get("code") and error["code"] != "internal_error", f"{where} crashed: {error}"
        assert error.get("message", "").strip(), f"{where}: an error with no message"
        assert error.get("next_action", "").strip(), f"{where}: an error with no next step"
        if error["code"] in ARGUMENT_CODES:
            assert error.get("param"), f"{where}: an argument error that names no argument: {error}"


@pytest.mark.parametrize("tool", TOOLS)
def test_fuzzed_arguments_never_crash_or_leak(harness: Harness, tool: str) -> None:
    assert tool in harness.schemas

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(arguments=_arguments(harness.schemas[tool]))
    def run(arguments: dict[str, Any]) -> None:
        log_start = len(harness.logs.lines)
        result = harness.call(tool, arguments)
        check_result(harness, tool, arguments, result, log_start)

    run()
