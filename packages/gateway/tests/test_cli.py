"""Operations seam: the console script, settings precedence (flags > env > TOML), provider lookup
through the entry-point group, live-platform opt-in and the bind guard."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from tradewire.gateway import providers
from tradewire.gateway.cli import main
from tradewire.gateway.providers.mock import MockVenue
from tradewire.gateway.server import InsecureBind, check_bind
from tradewire.gateway.settings import GatewaySettings, load_settings


# TRADEWIRE_* variables of the developer's shell must not leak into these tests.
@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    import os

    for name in list(os.environ):
        if name.startswith("TRADEWIRE_") or name.endswith("GATEWAY_API_KEY"):
            monkeypatch.delenv(name)


def test_the_gateway_reads_the_key_variables_clients_read(monkeypatch):
    from tradewire.protocol import routes

    assert routes.ENV_API_KEY == (
        "TRADEWIRE_API_KEY",
        "TEKTII_TRADING_GATEWAY_API_KEY",
        "TRADING_GATEWAY_API_KEY",
        "GATEWAY_API_KEY",
    )
    monkeypatch.setenv("TRADING_GATEWAY_API_KEY", "client")
    monkeypatch.setenv("GATEWAY_API_KEY", "alias")
    assert load_settings().api_key.get_secret_value() == "client"  # the first set wins
    monkeypatch.setenv("TRADEWIRE_API_KEY", "ours")
    assert load_settings().api_key.get_secret_value() == "ours"


def test_every_serve_help_example_builds_its_venue(tmp_path, monkeypatch):
    """Each example of `serve --help` parses, loads its settings and builds its venue as written (in a
    folder holding the files it names); only `server.run()` is left out."""
    import gzip
    import shlex

    from tradewire.engine.data.sample import sample_path
    from tradewire.gateway.cli import EPILOG, _overrides, _parser
    from tradewire.gateway.providers import create_venue

    text = gzip.decompress(sample_path().read_bytes()).decode()
    aapl = [line for line in text.splitlines()[1:] if ",AAPL," in line]
    (tmp_path / "bars.csv").write_text(text.splitlines()[0] + "\n" + "\n".join(aapl) + "\n")
    minutes = ["timestamp,open,high,low,close,volume"] + [
        f"2024-01-02T{h:02d}:{m:02d}:00Z,10,11,9,10.5,100" for h in range(14, 16) for m in range(60)
    ]
    (tmp_path / "minute_bars.csv").write_text("\n".join(minutes) + "\n")
    (tmp_path / "engine.toml").write_text('cash = "50000"\n')
    monkeypatch.chdir(tmp_path)
    examples = EPILOG.split("examples:\n", 1)[1].strip().splitlines()
    assert len(examples) == 5
    for line in examples:
        words = shlex.split(line.split("  #")[0])
        if words[0] == "export":
            name, _, _ = words[1].partition("=")
            monkeypatch.setenv(name, "k" * 64)  # what $(openssl rand -hex 32) prints
            continue
        assert words[:2] == ["tradewire-gateway", "serve"], line
        args = _parser().parse_args(words[1:])
        settings = load_settings(args.config, **_overrides(args))
        if "--host" in words:
            check_bind(settings)  # binding everywhere needs the key the export set
        create_venue(settings)


def test_help_explains_each_option():
    out = subprocess.run(
        [sys.executable, "-m", "tradewire.gateway.cli", "serve", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0
    for needle in (
        "--platform",
        "--host",
        "--port",
        "--config",
        "--allow-live-orders",
        "TRADEWIRE_API_KEY",
        "GATEWAY_API_KEY",
        "TRADEWIRE_ALLOW_LIVE_ORDERS=true",
        "backtest",
        "mock",
    ):
        assert needle in out.stdout


def test_precedence_flags_env_file(tmp_path, monkeypatch):
    config = tmp_path / "gw.toml"
    config.write_text(
        'port = 1111\nplatform = "mock"\nws_ping_interval = 5.0\n[mock]\nseed = 3\nsymbols = ["AAPL"]\n'
    )
    s = load_settings(config)
    assert (s.port, s.ws_ping_interval, s.mock.seed, s.mock.symbols) == (1111, 5.0, 3, ("AAPL",))
    monkeypatch.setenv("TRADEWIRE_PORT", "2222")
    monkeypatch.setenv("TRADEWIRE_MOCK__SEED", "9")
    s = load_settings(config)
    assert (s.port, s.mock.seed) == (2222, 9)
    s = load_settings(config, port=3333)
    assert s.port == 3333


@pytest.mark.parametrize(
    "name",
    ["TRADEWIRE_API_KEY", "TEKTII_TRADING_GATEWAY_API_KEY", "TRADING_GATEWAY_API_KEY", "GATEWAY_API_KEY"],
)
def test_key_from_any_variable_never_printed(monkeypatch, name):
    monkeypatch.setenv(name, "sekrit")
    s = load_settings()
    assert s.api_key is not None and s.api_key.get_secret_value() == "sekrit"
    assert "sekrit" not in repr(s) and "sekrit" not in str(s.model_dump())


def test_unknown_setting_rejected(tmp_path):
    config = tmp_path / "gw.toml"
    config.write_text("prot = 1\n")
    with pytest.raises(ValidationError):
        load_settings(config)
    assert main(["serve", "--config", str(config)]) == 2


def test_non_loopback_without_key_refused(capsys):
    with pytest.raises(InsecureBind):
        check_bind(GatewaySettings(host="0.0.0.0"))
    check_bind(GatewaySettings(host="0.0.0.0", api_key="k" * 16))
    check_bind(GatewaySettings(host="::1"))
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "without an API key" in capsys.readouterr().err


def test_providers_come_from_the_entry_point_group():
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group=providers.GROUP)}
    assert {"mock", "backtest"} <= names
    venue = providers.create_venue(GatewaySettings(platform="mock", mock={"symbols": ("XYZ",), "seed": 1}))
    assert isinstance(venue, MockVenue) and list(venue.walks) == ["XYZ"]


def test_third_party_provider_plugs_in(monkeypatch):
    monkeypatch.setitem(providers.BUILTIN, "acme", "tradewire.gateway.providers.mock:create_venue")
    assert isinstance(providers.create_venue(GatewaySettings(platform="acme")), MockVenue)


def test_a_live_plugin_venue_needs_flag_and_env(monkeypatch):
    monkeypatch.setitem(providers.BUILTIN, "acme", "tradewire.gateway.providers.mock:create_venue")
    monkeypatch.setattr(MockVenue, "live", True)  # as a plugin that places real orders declares
    with pytest.raises(
        providers.PlatformError, match="'acme' places real-money orders; refusing without the"
    ):
        providers.create_venue(GatewaySettings(platform="acme"))
    with pytest.raises(providers.PlatformError, match="TRADEWIRE_ALLOW_LIVE_ORDERS=true"):
        providers.create_venue(GatewaySettings(platform="acme", allow_live_orders=True))
    monkeypatch.setenv("TRADEWIRE_ALLOW_LIVE_ORDERS", "true")
    assert isinstance(
        providers.create_venue(GatewaySettings(platform="acme", allow_live_orders=True)), MockVenue
    )


@pytest.mark.usefixtures("without_broker_plugins")
@pytest.mark.parametrize("platform", ["alpaca-live", "binance-live", "binance-spot-live"])
def test_live_platforms_need_flag_and_env(monkeypatch, platform, capsys):
    with pytest.raises(
        providers.PlatformError,
        match="--allow-live-orders flag and the environment variable TRADEWIRE_ALLOW_LIVE_ORDERS=true",
    ):
        providers.create_venue(GatewaySettings(platform=platform))
    with pytest.raises(providers.PlatformError, match="TRADEWIRE_ALLOW_LIVE_ORDERS=true"):
        providers.create_venue(GatewaySettings(platform=platform, allow_live_orders=True))
    monkeypatch.setenv("TRADEWIRE_ALLOW_LIVE_ORDERS", "true")
    with pytest.raises(providers.PlatformError, match="--allow-live-orders"):
        providers.create_venue(GatewaySettings(platform=platform))
    # both opt-ins given: the answer is now that this build has no such provider
    with pytest.raises(providers.PlatformError, match="not available in this build"):
        providers.create_venue(GatewaySettings(platform=platform, allow_live_orders=True))
    assert main(["serve", "--platform", platform]) == 2
    assert "real-money" in capsys.readouterr().err


@pytest.mark.usefixtures("without_broker_plugins")
@pytest.mark.parametrize("platform", ["alpaca-paper", "binance-testnet", "binance-spot-testnet"])
def test_paper_platforms_not_in_this_build(platform):
    with pytest.raises(providers.PlatformError, match="not available in this build"):
        providers.create_venue(GatewaySettings(platform=platform))


def test_unknown_platform():
    with pytest.raises(providers.PlatformError, match="unknown platform 'nasdaq'"):
        providers.create_venue(GatewaySettings(platform="nasdaq"))


def test_backtest_provider_names_the_engine_when_missing(monkeypatch):
    from tradewire.gateway.providers import backtest

    monkeypatch.setitem(sys.modules, "tradewire.engine", None)  # a broken install: the engine is a dependency
    with pytest.raises(ImportError, match=r"pip install tradewire-engine"):
        backtest.create_venue(GatewaySettings(platform="backtest"))


def test_backtest_provider_from_files_and_config(tmp_path):
    pytest.importorskip("tradewire.engine")
    data = tmp_path / "bars.csv"
    data.write_text(
        "timestamp,open,high,low,close,volume\n2024-01-02T00:00:00Z,1.00,1.10,0.90,1.05,100\n2024-01-03T00:00:00Z,1.05,1.20,1.00,1.10,120\n"
    )
    engine_config = tmp_path / "engine.toml"
    engine_config.write_text('cash = "5000"\ncurrency = "EUR"\n')
    s = GatewaySettings(platform="tektii", backtest={"data": (str(data),), "config": str(engine_config)})
    venue = providers.create_venue(s)
    assert type(venue).__name__ == "BacktestVenue"
    assert venue.config.currency == "EUR" and str(venue.config.cash) == "5000"  # type: ignore[attr-defined]
    bad = GatewaySettings(platform="backtest", backtest={"options": {"nonsense": 1}})
    with pytest.raises(ValueError, match="invalid engine config"):
        providers.create_venue(bad)


def test_busy_poll_defaults_to_on_for_paced_venues_only(monkeypatch):
    from tradewire.gateway.cli import _overrides, _parser
    from tradewire.gateway.settings import DEFAULT_BACKTEST_BUSY_POLL

    assert load_settings().busy_poll_budget(paced=True) == DEFAULT_BACKTEST_BUSY_POLL > 0
    assert load_settings().busy_poll_budget(paced=False) == 0
    assert load_settings(busy_poll=0).busy_poll_budget(paced=True) == 0
    monkeypatch.setenv("TRADEWIRE_BUSY_POLL", "0.0005")
    assert load_settings().busy_poll_budget(paced=False) == 0.0005
    args = _parser().parse_args(["serve", "--platform", "backtest", "--busy-poll", "0.002"])
    assert load_settings(**_overrides(args)).busy_poll_budget(paced=True) == 0.002
    with pytest.raises(ValidationError):
        load_settings(busy_poll=-1)


@pytest.mark.parametrize("kind", ["asyncio", "uvloop"])
def test_backtest_gateway_serves_on_the_busy_polling_loop(tmp_path, kind):
    # The backtest platform as the console script builds it: the server's loop is the busy-polling
    # one of its kind (a polling selector; uvloop with the spinner), and it answers REST as usual.
    import asyncio

    import httpx

    from tradewire.protocol import busy_poll
    from tradewire.protocol.busy_poll import BusyPollSelector
    from tradewire.testkit.harness import running_gateway

    uvloop = pytest.importorskip("uvloop") if kind == "uvloop" else None
    data = tmp_path / "AAPL.csv"
    data.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2024-03-01T14:30:00Z,180.10,180.44,180.02,180.31,51200\n"
        "2024-03-01T14:31:00Z,180.31,180.50,180.20,180.40,40100\n"
    )
    # busy_poll=None: the gateway's own default (the harness turns busy polling off in a thread)
    settings = {"busy_poll": None, "loop": kind, "backtest": {"data": [str(data)]}}
    with running_gateway("backtest", **settings) as gw:
        loop = gw.call(asyncio.get_running_loop)
        if uvloop is None:
            assert isinstance(loop._selector, BusyPollSelector)  # type: ignore[attr-defined]
        else:
            assert isinstance(loop, uvloop.Loop)
            assert busy_poll._spinner is not None and busy_poll._spinner.loop is loop
        r = httpx.get(gw.url + "/v1/account", timeout=5)
        assert r.status_code == 200 and r.json()["balance"]


def test_backtest_timeframe_aggregates_finer_bars_and_refuses_coarser(tmp_path, capsys):
    engine = pytest.importorskip("tradewire.engine")
    from tradewire.gateway.cli import _overrides, _parser
    from tradewire.gateway.providers.backtest import load_series

    rows = [f"2024-01-0{d}T{h:02d}:00:00Z,1.00,1.{h:02d},0.90,1.05,10" for d in (2, 3) for h in range(24)]
    data = tmp_path / "X.csv"
    data.write_text("timestamp,open,high,low,close,volume\n" + "\n".join(rows) + "\n")
    args = _parser().parse_args(["serve", "--platform", "backtest", "--data", str(data), "--timeframe", "1d"])
    [daily] = load_series(engine, load_settings(**_overrides(args)).backtest)
    chunk = next(daily.prepare().chunks(0))
    assert daily.timeframe == "1d" and daily.rows == 2
    assert chunk["high"].tolist() == [123, 123] and chunk["volume"].tolist() == [240, 240]
    assert main(["serve", "--platform", "backtest", "--data", str(data), "--timeframe", "1m"]) == 2
    assert "the data is 1h bars; 1m bars were asked for: use data at 1m or finer" in capsys.readouterr().err


def test_server_stack_settings_reach_uvicorn(monkeypatch):
    """loop / ws (settings or TRADEWIRE_LOOP, ...) are what uvicorn is configured with; HTTP is always
    the edge-limited httptools protocol (h11 measured slower, and its limits do not bound head time)."""
    from litestar import Litestar

    from tradewire.gateway.edge_protocol import EdgeProtocol
    from tradewire.gateway.server import make_config

    app = Litestar([])
    default = make_config(app, load_settings())
    assert (default.loop, default.ws) == ("uvloop", "websockets-sansio")
    assert issubclass(default.http, EdgeProtocol)
    assert make_config(app, load_settings(loop="asyncio")).loop == "asyncio"
    monkeypatch.setenv("TRADEWIRE_LOOP", "uvloop")
    monkeypatch.setenv("TRADEWIRE_WS", "wsproto")
    chosen = make_config(app, load_settings())
    assert (chosen.loop, chosen.ws) == ("uvloop", "wsproto")
    for bad in ({"loop": "trio"}, {"ws": "none"}, {"http": "h11"}):
        with pytest.raises(ValidationError):
            load_settings(**bad)
