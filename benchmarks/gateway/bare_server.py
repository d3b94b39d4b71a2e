"""Reference floor for bench_rest: a bare Litestar + uvicorn app with one constant JSON endpoint."""

from __future__ import annotations

import argparse

import uvicorn
from litestar import Litestar, Response, get, post


@post("/v1/orders", status_code=201)
async def submit() -> Response[bytes]:
    """Answer like the gateway does, without doing anything."""
    return Response(b'{"id":"ord-1","status":"FILLED"}', status_code=201, media_type="application/json")


@get("/livez")
async def livez() -> Response[bytes]:
    """Readiness for the benchmark harness."""
    return Response(b'{"status":"ok"}', media_type="application/json")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = Litestar([submit, livez], openapi_config=None, logging_config=None)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        ws_per_message_deflate=False,
    )


if __name__ == "__main__":
    main()
