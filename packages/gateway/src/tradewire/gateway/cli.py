"""`tradewire-gateway`: serve a venue over the wire API."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from tradewire.gateway.logs import configure_logging
from tradewire.gateway.version import __version__

log = logging.getLogger("tradewire.gateway")

DESCRIPTION = """\
Serve a trading venue over the Tradewire wire API (REST + WebSocket on one port).

Every option can also come from the environment (prefix TRADEWIRE_, e.g. TRADEWIRE_PORT=9000,
TRADEWIRE_MOCK__SEED=3) or from a TOML file given with --config; flags win over the
environment, which wins over the file. The API key is read from the first set of
TRADEWIRE_API_KEY, TEKTII_TRADING_GATEWAY_API_KEY, TRADING_GATEWAY_API_KEY and GATEWAY_API_KEY,
the names the clients read too (never from a flag, so it stays out of process listings).
"""

EPILOG = """\
platforms:
  mock            the engine's kernel on random-walk prices, a live clock (no credentials)
  backtest        the engine's BacktestVenue, time advancing on acks
  alpaca-paper, alpaca-live
                  with tradewire-brokers[alpaca] installed (keys from APCA_API_KEY_ID and
                  APCA_API_SECRET_KEY); binance-testnet, binance-live: planned; the live ones
                  (and any provider whose venue is live) also require the --allow-live-orders
                  flag AND TRADEWIRE_ALLOW_LIVE_ORDERS=true in the environment
  third-party     any provider registered in the 'tradewire.venues' entry-point group

examples:
  tradewire-gateway serve --platform mock
  export TRADEWIRE_API_KEY=$(openssl rand -hex 32)  # the clients in this shell read it too
  tradewire-gateway serve --host 0.0.0.0
  tradewire-gateway serve --platform backtest --data bars.csv --engine-config engine.toml
  tradewire-gateway serve --platform backtest --data minute_bars.csv --timeframe 1d
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradewire-gateway",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve",
        help="run the gateway",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument(
        "--platform", help="venue to serve: mock (default), backtest, or an installed provider"
    )
    serve.add_argument("--host", help="listen address (default 127.0.0.1; non-loopback requires an API key)")
    serve.add_argument("--port", type=int, help="listen port (default 8080)")
    serve.add_argument(
        "--config",
        metavar="FILE",
        help="TOML file with any of the settings (keys as in the environment, without prefix)",
    )
    serve.add_argument(
        "--allow-live-orders",
        action="store_true",
        default=None,
        help="opt in to real-money platforms (also needs TRADEWIRE_ALLOW_LIVE_ORDERS=true in the "
        "environment; this flag has no environment variable)",
    )
    serve.add_argument(
        "--ack-timeout",
        type=float,
        metavar="SECONDS",
        help="backtest: stop the run if a step is not acked in time (default: wait forever)",
    )
    serve.add_argument(
        "--ping-interval",
        type=float,
        metavar="SECONDS",
        help="send a JSON ping after this much outgoing silence (default 30)",
    )
    serve.add_argument(
        "--busy-poll",
        type=float,
        metavar="SECONDS",
        help="poll sockets this long before sleeping, for lower step latency "
        "(default 0.001 on backtest, 0 = off elsewhere)",
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        metavar="ORIGIN",
        help="allow CORS from ORIGIN (repeatable; default: CORS off)",
    )
    serve.add_argument("--log-level", help="debug, info (default), warning, error")
    serve.add_argument(
        "--plain-logs", action="store_true", default=None, help="human-readable logs instead of JSON lines"
    )
    mock = serve.add_argument_group("mock platform")
    mock.add_argument("--symbols", help="comma-separated instruments (default AAPL,MSFT,SPY,BTC/USD,ETH/USD)")
    mock.add_argument("--seed", type=int, help="random-walk seed (default 7)")
    mock.add_argument(
        "--candle-interval",
        type=float,
        metavar="SECONDS",
        help="wall-clock seconds per 1m candle (default 1.0)",
    )
    bt = serve.add_argument_group("backtest platform")
    bt.add_argument("--data", action="append", metavar="PATH", help="bars/quotes file or folder (repeatable)")
    bt.add_argument(
        "--engine-config", metavar="FILE", help="engine configuration file passed to the BacktestVenue"
    )
    bt.add_argument(
        "--timeframe",
        metavar="TF",
        help="bar size to simulate and stream, e.g. 1d: finer bars in the data are aggregated to it "
        "(default: the data's own); serve the timeframe your strategy declares",
    )
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    out: dict[str, object] = {
        "platform": args.platform,
        "host": args.host,
        "port": args.port,
        "allow_live_orders": args.allow_live_orders,
        "ack_timeout": args.ack_timeout,
        "ws_ping_interval": args.ping_interval,
        "busy_poll": args.busy_poll,
        "cors_origins": tuple(args.cors_origin) if args.cors_origin else None,
        "log_level": args.log_level,
        "json_logs": False if args.plain_logs else None,
    }
    mock = {
        "symbols": tuple(s.strip() for s in args.symbols.split(",") if s.strip()) if args.symbols else None,
        "seed": args.seed,
        "candle_interval": args.candle_interval,
    }
    backtest = {
        "data": tuple(args.data) if args.data else None,
        "config": args.engine_config,
        "timeframe": args.timeframe,
    }
    # Nested groups are only overridden when a flag was given, so the file/env values survive.
    if any(v is not None for v in mock.values()):
        out["mock"] = {k: v for k, v in mock.items() if v is not None}
    if any(v is not None for v in backtest.values()):
        out["backtest"] = {k: v for k, v in backtest.items() if v is not None}
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    args = _parser().parse_args(argv)
    from tradewire.gateway.app import create_app
    from tradewire.gateway.providers import PlatformError, create_venue
    from tradewire.gateway.server import InsecureBind, build_server
    from tradewire.gateway.settings import load_settings

    try:
        settings = load_settings(args.config, **_overrides(args))
    except (ValidationError, FileNotFoundError, ValueError) as e:
        print(f"tradewire-gateway: invalid configuration: {e}", file=sys.stderr)
        return 2
    configure_logging(
        settings.log_level,
        settings.json_logs,
        secrets=[settings.api_key.get_secret_value()] if settings.api_key is not None else [],
        flood_lines=settings.log_flood_lines,
        flood_window=settings.log_flood_window,
    )
    try:
        venue = create_venue(settings)
        server = build_server(create_app(venue, settings), settings, tune=True)
    except (PlatformError, InsecureBind, ImportError, ValueError) as e:
        print(f"tradewire-gateway: {e}", file=sys.stderr)
        return 2
    log.info("serving", extra={"platform": settings.platform, "host": settings.host, "port": settings.port})
    server.run()
    if server.start_error is not None:
        print(f"tradewire-gateway: cannot start {settings.platform}: {server.start_error}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
