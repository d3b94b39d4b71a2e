"""The OpenAPI document's examples are the wire spec's (docs/spec/rest.md), one set for every operation,
and each one is valid for the schema it illustrates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator

from tradewire.gateway.openapi import build
from tradewire.gateway.openapi_examples import EXAMPLES

DOC = build()
OPS = {
    op["operationId"]: (path, method, op)
    for path, item in DOC["paths"].items()
    for method, op in item.items()
}


def _rest_md() -> str:
    """rest.md from the checkout these tests sit in (the folder holding noxfile.py); missing fails."""
    for folder in Path(__file__).resolve().parents:
        if (folder / "noxfile.py").is_file():
            path = folder / "docs" / "spec" / "rest.md"
            if path.is_file():
                return path.read_text(encoding="utf-8")
    pytest.fail("docs/spec/rest.md is missing: the spec's examples are the contract")


REST = _rest_md()


def _spec_values() -> list[Any]:
    """Every JSON value rest.md shows: each line of a ```json block (a whole block when it is a list),
    and the inline `{...}` values of its prose."""
    out: list[Any] = []
    for block in re.findall(r"```json\n(.*?)```", REST, re.S):
        block = block.strip()
        lines = [block] if block.startswith("[") else [line for line in block.splitlines() if line.strip()]
        out += [orjson.loads(line) for line in lines]
    for raw in re.findall(r"`(\{\".*?\})`", REST):
        try:
            out.append(orjson.loads(raw))
        except orjson.JSONDecodeError:
            continue  # a shape with placeholders, such as {"field": ..., "provided": ...}
    return out


SPEC_VALUES = _spec_values()


def _shown(value: Any) -> bool:
    """Shown in rest.md as is, or as an item of a list it shows."""
    return value in SPEC_VALUES or any(isinstance(shown, list) and value in shown for shown in SPEC_VALUES)


def _from_spec(value: Any) -> bool:
    """Shown in rest.md, or a list of objects each shown there."""
    return _shown(value) or (isinstance(value, list) and bool(value) and all(_shown(item) for item in value))


def _valid(schema: dict[str, Any], instance: Any) -> None:
    validator = Draft202012Validator({**schema, "components": DOC["components"]})
    errors = [e.message for e in validator.iter_errors(instance)]
    assert not errors, errors


def test_every_operation_has_examples():
    assert set(EXAMPLES) == set(OPS)
    for op_id, (_, _, op) in OPS.items():
        if op_id == "metrics":
            continue  # Prometheus text: its metrics are Tradewire's own, not the spec's
        success = next(r for code, r in op["responses"].items() if code.startswith("2"))
        assert "example" in success["content"]["application/json"], op_id
        if "requestBody" in op:
            assert "example" in op["requestBody"]["content"]["application/json"], op_id
        for param in op.get("parameters", []):
            if param["in"] == "path":
                assert "example" in param, (op_id, param["name"])


@pytest.mark.parametrize("op_id", sorted(EXAMPLES))
def test_examples_come_from_the_spec(op_id):
    example = EXAMPLES[op_id]
    if example.request_line not in REST:
        # rest.md prints no request line for it: its parameters are the ids of its own example answer.
        _, _, op = OPS[op_id]
        shown = example.responses["200"]
        for param in op.get("parameters", []):
            if param["in"] == "path":
                assert f'"{param["example"]}"' in shown, (op_id, param)
    if example.body is not None:
        assert orjson.loads(example.body) in SPEC_VALUES, op_id
    for status, text in example.responses.items():
        assert _from_spec(orjson.loads(text)), (op_id, status)


@pytest.mark.parametrize("op_id", sorted(EXAMPLES))
def test_examples_are_valid_for_the_document(op_id):
    _, _, op = OPS[op_id]
    for param in op.get("parameters", []):
        if "example" in param:
            _valid(param["schema"], param["example"])
    if "requestBody" in op:
        media = op["requestBody"]["content"]["application/json"]
        _valid(media["schema"], media["example"])
    for status, response in op["responses"].items():
        media = response.get("content", {}).get("application/json")
        if media and "example" in media:
            _valid(media["schema"], media["example"])
            assert status in EXAMPLES[op_id].responses


def test_query_examples_are_the_spec_request_lines():
    _, _, op = OPS["listOrders"]
    examples = {p["name"]: p.get("example") for p in op["parameters"]}
    assert (
        examples["symbol"] == "AAPL" and examples["status"] == ["OPEN", "PENDING"] and examples["limit"] == 50
    )
    _, _, op = OPS["getBars"]
    examples = {p["name"]: p.get("example") for p in op["parameters"]}
    assert examples == {"symbol": "AAPL", "timeframe": "1m", "start": None, "end": None, "limit": 2}
