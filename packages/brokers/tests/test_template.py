"""The adapter template: every piece says what to fill in, and it is never registered as a venue."""

from __future__ import annotations

import importlib
import inspect
import re
from importlib.metadata import distribution

import pytest

from tradewire.brokers._template import capabilities, errors, factory, http, mapping, stream
from tradewire.brokers._template.config import TemplateConfig
from tradewire.brokers._template.errors import TemplateNotFilled
from tradewire.brokers._template.venue import TemplateVenue
from tradewire.protocol.messages import SubmitOrderRequest
from tradewire.protocol.venue import Venue

#: The file names every adapter has (issue 18); a folder per broker copies the template's.
ADAPTER_FILES = ("config", "http", "stream", "mapping", "errors", "capabilities", "venue", "factory")


def test_the_template_has_every_adapter_file() -> None:
    for name in ADAPTER_FILES:
        module = importlib.import_module(f"tradewire.brokers._template.{name}")
        assert module.__doc__, f"{name}.py documents what an adapter puts there"


def _call_args(method: str) -> tuple[object, ...]:
    parameters = list(inspect.signature(getattr(Venue, method)).parameters.values())[1:]
    return tuple(None for p in parameters if p.default is inspect.Parameter.empty)


@pytest.mark.parametrize("method", sorted(Venue.__abstractmethods__ | {"connect"}))
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
    with pytest.raises(TemplateNotFilled, match=re.escape("stream.py")):
        stream.TemplateStream().batches()


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
