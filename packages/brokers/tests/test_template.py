"""The adapter template: every piece says what to fill in, and it is never registered as a venue."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import re
from importlib.metadata import distribution
from pathlib import Path

import pytest

from tradewire.brokers._live.live_venue import LiveVenue
from tradewire.brokers._live.store import Store
from tradewire.brokers._template import capabilities, errors, factory, http, mapping, stream
from tradewire.brokers._template.config import TemplateConfig
from tradewire.brokers._template.errors import TemplateNotFilled
from tradewire.brokers._template.venue import TemplateVenue
from tradewire.protocol.errors import ProviderUnavailable
from tradewire.protocol.messages import SubmitOrderRequest

#: The file names every adapter has (issue 18); a folder per broker copies the template's.
ADAPTER_FILES = ("config", "http", "stream", "mapping", "errors", "capabilities", "venue", "factory")


def test_the_template_has_every_adapter_file() -> None:
    for name in ADAPTER_FILES:
        module = importlib.import_module(f"tradewire.brokers._template.{name}")
        assert module.__doc__, f"{name}.py documents what an adapter puts there"


def _call_args(method: str) -> tuple[object, ...]:
    parameters = list(inspect.signature(getattr(LiveVenue, method)).parameters.values())[1:]
    return tuple(None for p in parameters if p.default is inspect.Parameter.empty)


#: What an adapter writes: the `Venue` methods the shared `LiveVenue` leaves open, its hooks, `connect`.
@pytest.mark.parametrize("method", sorted(LiveVenue.__abstractmethods__ | {"connect"}))
async def test_every_venue_method_names_what_to_fill_in(method: str) -> None:
    venue = TemplateVenue()
    with pytest.raises(NotImplementedError) as info:
        result = getattr(venue, method)(*_call_args(method))
        if inspect.isawaitable(result):
            await result
    assert isinstance(info.value, TemplateNotFilled)
    assert f"TemplateVenue.{method} in venue.py" in str(info.value)
    assert "copy it to tradewire/brokers/<broker>/" in str(info.value)


async def test_the_other_pieces_raise_too_never_pretending_to_work() -> None:
    with pytest.raises(TemplateNotFilled, match=re.escape("create_venue in factory.py")):
        factory.create_venue(object())
    with pytest.raises(TemplateNotFilled, match=re.escape("capabilities.py")):
        capabilities.capabilities()
    with pytest.raises(TemplateNotFilled, match=re.escape("order_payload in mapping.py")):
        mapping.order_payload(SubmitOrderRequest(), "tw-1")
    with pytest.raises(TemplateNotFilled, match="order_from_broker"):
        mapping.order_from_broker({})
    with pytest.raises(TemplateNotFilled, match=re.escape("error_from_response in errors.py")):
        errors.error_from_response(500, {})
    with pytest.raises(TemplateNotFilled, match=re.escape("TemplateHttp.submit in http.py")):
        await http.TemplateHttp().submit({})
    with pytest.raises(TemplateNotFilled, match="find_by_client_id"):
        await http.TemplateHttp().find_by_client_id("x")
    with pytest.raises(TemplateNotFilled, match=re.escape("TemplateHttp.aclose in http.py")):
        await http.TemplateHttp().aclose()


async def test_the_templates_stream_names_each_hook_the_shared_driver_calls(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "template.sqlite3")
    try:
        template = stream.TemplateStream(store, "template", lambda batch: None)
        calls = {
            "start": template.start(),
            "_open": template._open(),
            "_snapshot": template._snapshot(dt.datetime.now(dt.UTC)),
            "_after_resync": template._after_resync(),
        }
        for hook, call in calls.items():
            with pytest.raises(TemplateNotFilled, match=re.escape(f"TemplateStream.{hook} in stream.py")):
                await call
        with pytest.raises(TemplateNotFilled, match=re.escape("TemplateStream._on_message")):
            template._on_message({})
        with pytest.raises(TemplateNotFilled, match=re.escape("TemplateStream._release")):
            template._release([])
    finally:
        store.close()


async def test_the_shared_parts_work_on_the_template_before_connect() -> None:
    # What `LiveVenue` gives every adapter: nothing to fill in, and no broker call before connect().
    venue = TemplateVenue()
    with pytest.raises(ProviderUnavailable, match="the Template venue is not connected"):
        await venue.cancel_order("x")
    assert not (await venue.status()).connected
    await venue.close()
    assert [batch async for batch in venue.stream()] == []  # closed: the stream ends


def test_the_templates_config_reads_the_environment_and_hides_the_secret() -> None:
    env = {"TEMPLATE_API_KEY": "key-id-123456789", "TEMPLATE_API_SECRET": "do-not-print-me-ever"}
    config = TemplateConfig.from_env(env)
    assert config.rest_url == "https://broker.invalid"
    assert "do-not-print-me-ever" not in repr(config)


def test_the_template_is_no_venue_provider() -> None:
    registered = [
        ep for ep in distribution("tradewire-brokers").entry_points if ep.group == "tradewire.venues"
    ]
    assert all("_template" not in ep.value for ep in registered)
