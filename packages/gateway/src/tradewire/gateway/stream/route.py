"""The `/v1/ws` handler: accept, join the hub, read acks and pongs, write until closed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from litestar import WebSocket, websocket

from tradewire.gateway.stream.hub import Hub
from tradewire.gateway.stream.session import MAX_ACK_IDS, Session, repeated_key, too_many_ids
from tradewire.protocol import codec, routes

log = logging.getLogger("tradewire.gateway.stream")


@websocket(routes.WS)
async def stream(socket: WebSocket[Any, Any, Any]) -> None:
    """Push events to one client; the client sends only `event_ack` and `pong` (anything else is ignored)."""
    gw = socket.app.state.gateway
    hub = gw.hub
    batched = socket.query_params.get(routes.FRAMING_PARAM) == routes.FRAMING_BATCH
    await socket.accept()
    session = Session(
        socket.send,
        batched=batched,
        paced=hub.paced,
        queue_limit=gw.settings.ws_queue_size,
        ping_interval=gw.settings.ws_ping_interval,
        send_timeout=gw.settings.ws_send_timeout,
        abort=lambda: gw.connections.abort(socket.scope),
    )
    hub.join(session)
    writer = asyncio.create_task(session.run_writer(), name=f"tradewire-ws-writer-{session.id}")
    reader = asyncio.create_task(_read(socket, session, hub), name=f"tradewire-ws-reader-{session.id}")
    try:
        await asyncio.wait({writer, reader}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        hub.leave(session)
        for task in (reader, writer):
            task.cancel()
        for task in (reader, writer):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def _read(socket: WebSocket[Any, Any, Any], session: Session, hub: Hub) -> None:
    receive = socket.receive
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message["type"] != "websocket.receive":
            continue
        raw: str | bytes | None = message.get("text")
        if raw is None:
            raw = message.get("bytes")
        try:
            frame = orjson.loads(raw) if raw is not None else None
        except orjson.JSONDecodeError:
            log.info("ignored unparseable client frame", extra={"client": session.id})
            continue
        if type(frame) is not dict:
            log.info("ignored client frame that is not an object", extra={"client": session.id})
            continue
        kind = frame.get("type")
        if kind == "event_ack":
            try:
                codec.refuse_repeated_keys(raw if type(raw) is bytes else str(raw).encode(), frame)
            except codec.DecodeError as e:
                log.info("ignored event_ack", extra={"client": session.id, "reason": e.reason})
                if e.reason == "duplicate key":  # the client is told: it would wait for a release
                    session.notify(repeated_key(e.path))
                continue
            ids = frame.get("events_processed")
            if type(ids) is not list:
                log.info("ignored event_ack without events_processed", extra={"client": session.id})
                continue
            if len(ids) > MAX_ACK_IDS:
                # Refused whole, before any id is looked at; the client is told, since a backtest
                # would otherwise wait for the release this ack was meant to give.
                log.info("ignored event_ack with too many ids", extra={"client": session.id, "ids": len(ids)})
                session.notify(too_many_ids(len(ids)))
                continue
            batch_id = frame.get("batch_id")
            await hub.ack(session, ids, batch_id if type(batch_id) is str else None)
        elif kind != "pong":
            log.info("ignored client message", extra={"client": session.id, "type": str(kind)[:40]})
