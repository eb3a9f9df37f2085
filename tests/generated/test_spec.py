"""heygen_lipsync.spec: the one spec walker, and the normalised spec shipped in the generated package."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings

from heygen_lipsync import spec
from tests.conftest import ROOT

VENDORED: dict[str, Any] = yaml.safe_load((ROOT / "openapi" / "heygen-lipsync.yaml").read_text(encoding="utf-8"))
S = spec.SCHEMA_PREFIX


def _tiny(**schemas: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "paths": {}, "components": {"schemas": schemas}}


def test_the_shipped_openapi_json_is_the_normalised_vendored_spec() -> None:
    assert spec.load_normalised() == spec.normalise(VENDORED)


def test_the_shipped_spec_has_no_discriminator_mapping_objects() -> None:
    mappings = [
        node["discriminator"]["mapping"]
        for node in spec.walk(spec.load_normalised())
        if isinstance(node.get("discriminator"), dict)
    ]
    assert mappings and all(isinstance(v, str) for mapping in mappings for v in mapping.values())


@pytest.mark.parametrize("path", ["/v3/lipsyncs", "/v3/lipsyncs/batches"])
def test_schemathesis_generates_the_creates_from_the_shipped_spec(path: str) -> None:
    """The raw YAML makes schemathesis crash here (`unhashable type: 'dict'`), the normalised form does not."""
    operation = schemathesis.openapi.from_dict(copy.deepcopy(spec.load_normalised()))[path]["POST"]
    bodies: list[Any] = []

    @given(operation.as_strategy())
    @settings(max_examples=5, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    def collect(case: Any) -> None:
        bodies.append(case.body)

    collect()
    assert bodies and all(isinstance(body, dict) for body in bodies)


def test_inline_names_mapping_targets_in_either_form() -> None:
    union = {"oneOf": [{"$ref": S + "A"}, {"$ref": S + "B"}], "discriminator": {"propertyName": "type"}}
    tiny = _tiny(A={"title": "A", "type": "object"}, B={"title": "B", "type": "object"}, U=union)
    tiny["components"]["schemas"]["U"]["discriminator"]["mapping"] = {"a": {"$ref": S + "A"}, "b": S + "B"}
    inlined = spec.inline(tiny, {"$ref": S + "U", "description": "beside the ref"})
    assert inlined["discriminator"]["mapping"] == {"a": "A", "b": "B"}
    assert [option["title"] for option in inlined["oneOf"]] == ["A", "B"]
    assert inlined["description"] == "beside the ref"
    assert "$ref" in tiny["components"]["schemas"]["U"]["oneOf"][0]  # the spec itself is left as it was


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ({"$ref": S + "Loop"}, "refers to itself"),
        ({"$ref": S + "Missing"}, "no schema 'Missing'"),
        ({"$ref": "other.yaml#/Thing"}, "only #/components/schemas/<name>"),
    ],
)
def test_inline_refuses_what_it_cannot_inline(node: dict[str, Any], message: str) -> None:
    tiny = _tiny(Loop={"type": "object", "properties": {"next": {"$ref": S + "Loop"}}})
    with pytest.raises(spec.SpecError, match=message):
        spec.inline(tiny, node)


def test_references_count_discriminator_mappings_and_strict_reach_names_a_dangling_one() -> None:
    tiny = _tiny(
        U={"oneOf": [{"$ref": S + "A"}], "discriminator": {"propertyName": "t", "mapping": {"b": S + "B"}}},
        A={"type": "object"},
        B={"type": "object", "properties": {"c": {"$ref": S + "Gone"}}},
    )
    assert spec.component_refs(tiny["components"]["schemas"]["U"]) == {("schemas", "A"), ("schemas", "B")}
    assert spec.reachable(tiny, {("schemas", "U")}) == {("schemas", n) for n in ("U", "A", "B")}
    with pytest.raises(spec.SpecError, match="#/components/schemas/Gone"):
        spec.reachable(tiny, {("schemas", "U")}, strict=True)


def test_wire_usage_sees_path_level_parameters_as_requests() -> None:
    tiny = _tiny(Q={"type": "string", "enum": ["x"]}, R={"type": "string", "enum": ["y"]})
    tiny["paths"] = {
        "/things": {
            "parameters": [{"name": "q", "in": "query", "schema": {"$ref": S + "Q"}}],
            "get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": S + "R"}}}}}},
        }
    }
    assert spec.wire_usage(tiny) == {"Q": {"request"}, "R": {"response"}}
    opened = spec.open_response_enums(copy.deepcopy(tiny))["components"]["schemas"]
    assert opened["Q"]["enum"] == ["x"] and "enum" not in opened["R"]


def test_a_missing_generated_spec_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    spec.load_normalised.cache_clear()
    monkeypatch.setattr(spec, "GENERATED_PACKAGE", "heygen_lipsync_api_not_installed")
    try:
        with pytest.raises(spec.SpecError, match="reinstall heygen-lipsync"):
            spec.load_normalised()
    finally:
        spec.load_normalised.cache_clear()
