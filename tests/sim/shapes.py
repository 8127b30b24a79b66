"""Structural comparison of a simulator response with a real Polygon fixture.

Every key of the reference must be present in the actual response with a compatible JSON type
(integers and floats are both "number"; a reference `null` accepts anything), recursively; an
array's elements are compared pairwise, and only a listing itself (`results`, `tickers`) may not
come back empty. A key the reference lacks is allowed only where the official OpenAPI spec
defines it for that endpoint, or another reference of the same endpoint has it (the spec's
schema, its examples and the recorded responses do not always list the same optional keys).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from tests.support.fixtures import polygon_json

SPEC = "openapi_massive_rest__client-go_2026-07-08.json"
LISTINGS = frozenset({"$.results", "$.tickers"})


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


@cache
def _spec() -> dict[str, Any]:
    return polygon_json(SPEC)  # type: ignore[no-any-return]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = _spec()
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    schema = _resolve(schema)
    found = dict(schema.get("properties") or {})
    for combined in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(combined, []):
            found.update(_properties(part))
    return found


def _items(schema: dict[str, Any]) -> dict[str, Any]:
    schema = _resolve(schema)
    if "items" in schema:
        return _resolve(schema["items"])
    for combined in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(combined, []):
            found = _items(part)
            if found:
                return found
    return {}


def response_schema(path: str) -> dict[str, Any]:
    """The 200 response schema of a spec path, e.g. `/v3/trades/{optionsTicker}`."""
    return _resolve(
        _spec()["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    )


def response_example(path: str) -> Any:
    """The spec's example response for a path (None where it gives none)."""
    return _spec()["paths"][path]["get"]["responses"]["200"]["content"]["application/json"].get("example")


def shape_problems(
    reference: Any, actual: Any, schema: dict[str, Any], peers: Sequence[Any] = (), where: str = "$"
) -> list[str]:
    if reference is None:
        return []
    if json_type(reference) != json_type(actual):
        return [f"{where}: {json_type(actual)} where the reference has {json_type(reference)}"]
    problems: list[str] = []
    if isinstance(reference, dict):
        defined = set(_properties(schema)).union(*(peer for peer in peers if isinstance(peer, dict)))
        properties = _properties(schema)
        for key, value in reference.items():
            if key not in actual:
                problems.append(f"{where}.{key}: missing")
                continue
            nested = [peer[key] for peer in peers if isinstance(peer, dict) and key in peer]
            problems += shape_problems(value, actual[key], properties.get(key, {}), nested, f"{where}.{key}")
        problems += [
            f"{where}.{key}: not in the reference nor the spec"
            for key in actual
            if key not in reference and key not in defined
        ]
    elif isinstance(reference, list):
        if reference and not actual and where in LISTINGS:
            problems.append(f"{where}: empty where the reference has items")
        items = [peer[0] for peer in peers if isinstance(peer, list) and peer]
        for index, (expected, got) in enumerate(zip(reference, actual, strict=False)):
            problems += shape_problems(expected, got, _items(schema), items, f"{where}[{index}]")
    return problems
