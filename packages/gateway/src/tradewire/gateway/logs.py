"""Structured JSON logging on the standard library's logging module."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Iterable
from typing import Any

import orjson

from tradewire.gateway.log_filters import FloodFilter, Redactor

# Attributes every LogRecord has; anything else was passed with `extra=` and goes into the JSON.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, `extra` fields, exception text."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            # exc_text when set is the redacted text (log_filters.Redactor)
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(
    level: str = "info",
    json: bool = True,
    *,
    secrets: Iterable[str] = (),
    flood_lines: int = 20,
    flood_window: float = 10.0,
) -> None:
    """Route the gateway's and uvicorn's loggers to stderr, as JSON lines unless `json` is false.

    Every line passes two filters on the way: repeated lines per client are bounded (`flood_lines`
    per `flood_window` seconds, then one summary line), and credentials are masked (query parameters,
    auth headers and the literal `secrets`, e.g. the API key). The flood filter goes first because it
    tells lines apart by their message template, which redaction merges with the arguments.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if json else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    handler.addFilter(FloodFilter(flood_lines, flood_window))
    handler.addFilter(Redactor(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # Access lines per request would dominate the log and cost latency; metrics cover them.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
