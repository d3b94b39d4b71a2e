"""The environment names that point a Binance adapter at an endpoint (the fake prints them).

| name | what | the fake's value |
|---|---|---|
| `BINANCE_API_KEY` | the API key (`X-MBX-APIKEY`, WS API `apiKey`) | its HMAC key |
| `BINANCE_API_SECRET` | the HMAC-SHA256 secret | its HMAC secret |
| `BINANCE_API_URL` | REST base; paths `/api/v3/...` follow | `http://127.0.0.1:P` |
| `BINANCE_WS_API_URL` | the WebSocket API, full URL | `ws://127.0.0.1:P/ws-api/v3` |
| `BINANCE_STREAM_URL` | market streams base (`/ws/<name>`, `/stream?streams=a/b`) | `ws://127.0.0.1:P` |

The URL values match Binance's own bases (binance.md §1): testnet `https://testnet.binance.vision`,
`wss://ws-api.testnet.binance.vision/ws-api/v3`, `wss://stream.testnet.binance.vision`.
"""

from __future__ import annotations

API_KEY = "BINANCE_API_KEY"
API_SECRET = "BINANCE_API_SECRET"  # noqa: S105 - a variable name, not a secret
API_URL = "BINANCE_API_URL"
WS_API_URL = "BINANCE_WS_API_URL"
STREAM_URL = "BINANCE_STREAM_URL"

NAMES = (API_KEY, API_SECRET, API_URL, WS_API_URL, STREAM_URL)

#: Where the fake serves each API on its one port.
WS_API_PATH = "/ws-api/v3"


def values(key: str, secret: str, host: str, port: int) -> dict[str, str]:
    """The NAME -> value lines for a fake on host:port, in the order printed."""
    return {
        API_KEY: key,
        API_SECRET: secret,
        API_URL: f"http://{host}:{port}",
        WS_API_URL: f"ws://{host}:{port}{WS_API_PATH}",
        STREAM_URL: f"ws://{host}:{port}",
    }
