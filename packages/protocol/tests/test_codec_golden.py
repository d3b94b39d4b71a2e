"""Golden seam: every JSON example in the wire spec (docs/spec/) decodes and re-encodes to the same JSON."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from tradewire.protocol import codec
from tradewire.protocol import messages as m

SPEC_FILES = ("README.md", "rest.md", "events.md", "enums.md")


def _repository_root() -> Path | None:
    """The checkout these tests sit in (the folder holding noxfile.py), found from this file's path.

    Not from the installed package: nox installs it as a wheel, but runs the tests from the checkout.
    """
    for folder in Path(__file__).resolve().parents:
        if (folder / "noxfile.py").is_file() and (folder / "packages" / "protocol").is_dir():
            return folder
    return None


ROOT = _repository_root()
SPEC = (ROOT or Path(__file__).resolve().parent) / "docs" / "spec"

# The untyped examples of rest.md and README.md, in the order they appear: (class, is_list).
REST_EXAMPLES: list[tuple[type, bool]] = [
    (m.Account, False),
    (m.SubmitOrderRequest, False),
    (m.OrderHandle, False),
    (m.ErrorBody, False),
    (m.Order, True),
    (m.CancelAllResult, False),
    (m.Order, False),
    (m.ModifyOrderRequest, False),
    (m.ModifyOrderResult, False),
    (m.CancelOrderResult, False),
    (m.Position, True),
    (m.ClosePositionRequest, False),
    (m.OrderHandle, False),
    (m.OrderHandle, True),
    (m.ModifyPositionExitsRequest, False),
    (m.ModifyPositionExitsResult, False),
    (m.Trade, True),
    (m.Quote, False),
    (m.Bar, True),
    (m.Capabilities, False),
    (m.ConnectionStatus, False),
    (m.CircuitBreakerStatusResponse, False),
    (m.DetailedHealthStatus, False),
]


def spec_text(name: str) -> str:
    """A spec file's text; a missing spec fails the test (the examples are the contract, never optional)."""
    path = SPEC / name
    if not path.is_file():
        pytest.fail(f"the wire spec is missing: {path} (docs/spec/ in the repository)")
    return path.read_text(encoding="utf-8")


def examples(name: str) -> list[str]:
    text = spec_text(name)
    out: list[str] = []
    for block in re.findall(r"```json\n(.*?)```", text, re.S):
        block = block.strip()
        if block.startswith("["):
            out.append(block)
        else:
            out.extend(line for line in block.splitlines() if line.strip())
    return out


def canonical(obj: Any, cls: type) -> Any:
    """What the encoder must emit for a spec example: input aliases become canonical spellings."""
    if isinstance(obj, list):
        return [canonical(x, cls) for x in obj]
    for field in codec.MESSAGES[cls.__name__]["fields"]:
        kind = field["kind"]
        if field["name"] in obj and kind.startswith("enum:"):
            enum_cls = getattr(m, kind[5:])
            value = obj[field["name"]]
            obj[field["name"]] = (
                [codec.enum_spelling(codec.parse_enum(enum_cls, v)) for v in value]
                if field["repeated"]
                else codec.enum_spelling(codec.parse_enum(enum_cls, value))
            )
    return obj


def test_the_spec_is_in_the_repository() -> None:
    assert ROOT is not None, f"no repository root (a folder with noxfile.py) above {Path(__file__).resolve()}"
    missing = [name for name in SPEC_FILES if not (SPEC / name).is_file()]
    assert not missing, f"{SPEC} lacks {', '.join(missing)}"


def test_rest_examples_round_trip() -> None:
    blocks = [b for b in examples("rest.md")]
    assert len(blocks) == len(REST_EXAMPLES), "rest.md gained or lost an example: extend REST_EXAMPLES"
    for raw, (cls, is_list) in zip(blocks, REST_EXAMPLES, strict=True):
        if is_list:
            decoded: Any = codec.decode_list(cls, raw)
            again = orjson.loads(codec.encode_list(decoded))
        else:
            decoded = codec.decode(cls, raw)
            again = orjson.loads(codec.encode(decoded))
        assert again == canonical(orjson.loads(raw), cls), raw


@pytest.mark.parametrize("name", ["events.md", "README.md"])
def test_stream_examples_round_trip(name: str) -> None:
    seen = set()
    for raw in examples(name):
        obj = orjson.loads(raw)
        if "type" not in obj:
            assert set(obj) == {"code", "message", "details"}
            again = orjson.loads(codec.encode(codec.decode(m.ErrorBody, raw)))
        elif obj["type"] in ("event_ack", "pong"):
            again = orjson.loads(codec.encode(codec.decode(m.ClientMessage, raw)))
        else:
            again = orjson.loads(codec.encode(codec.decode_frame(raw)))
        seen.add(obj.get("type"))
        assert again == obj, raw
    if name == "events.md":
        expected = {
            "candle",
            "quote",
            "order",
            "trade",
            "position",
            "account",
            "financing",
            "connection",
            "data_staleness",
            "rate_limit",
            "error",
            "ping",
            "backtest_complete",
            "event_ack",
            "pong",
            "batch",
        }
        assert expected <= seen


def test_key_order_follows_the_spec() -> None:
    raw = examples("events.md")[0]
    assert codec.encode(codec.decode_frame(raw)) == orjson.dumps(orjson.loads(raw))
