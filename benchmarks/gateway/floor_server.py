"""The bare-stack floor's server: uvicorn with one raw ASGI WebSocket route that ping-pongs frames.

No Litestar, no gateway: a ~500-byte text frame, then wait for the client's ~60-byte ack, then the
next frame, `--rounds` times; the stack options (loop, WebSocket and HTTP implementations, busy-poll)
are the gateway's (`tradewire.gateway.settings`), so the floor is measured on the gateway's own stack.

    python benchmarks/gateway/floor_server.py --port 8000 --loop asyncio --ws websockets-sansio
"""

from __future__ import annotations

import argparse
from typing import Any

from tradewire.protocol import busy_poll

FRAME = '{"type":"batch","batch_id":"b-%08d","events":[' + ",".join(['{"x":1234567}'] * 32) + "]}"


def make_app(rounds: int) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] == "http":  # /livez for the harness
            await receive()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
            return
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        for i in range(rounds):
            await send({"type": "websocket.send", "text": FRAME % i})
            busy_poll.poke()  # as the gateway does after writing a step (spins a uvloop loop)
            message = await receive()
            if message["type"] != "websocket.receive":
                return
        await send({"type": "websocket.close", "code": 1000})

    return app


def main() -> None:
    from tradewire.gateway.server import GatewayServer, make_config
    from tradewire.gateway.settings import load_settings

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=20_000)
    parser.add_argument("--loop", default=None)
    parser.add_argument("--ws", default=None)
    parser.add_argument("--busy-poll", type=float, default=0.001)
    args = parser.parse_args()
    settings = load_settings(port=args.port, loop=args.loop, ws=args.ws, log_level="warning")
    config = make_config(make_app(args.rounds), settings, log_level="warning")  # type: ignore[arg-type]
    GatewayServer(config, None, busy_poll=args.busy_poll).run()


if __name__ == "__main__":
    main()
