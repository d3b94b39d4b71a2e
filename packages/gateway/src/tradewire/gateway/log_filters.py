"""Log filters for every line the process writes: secrets redacted, repeated lines per client bounded."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from urllib.parse import quote

MASK = "***"

# A query or form parameter whose name says it carries a credential: `?api_key=…`, `&token=…`,
# `access_token=…`, `signature=…` (also inside a bytes repr such as b'api_key=…').
_PARAM = re.compile(
    r"(?i)(?<![\w.\-%])([\w.\-]*(?:key|token|secret|signature|sig|password|passwd|pwd|auth|"
    r"authorization|credentials?|session|jwt))=([^&\s\"'#;,)]*)"
)
# A header that carries a credential, as `name: value`, `'name': 'value'` or (b'name', b'value').
_HEADER = re.compile(
    r"(?i)\b(authorization|proxy-authorization|x-api-key|api-key|cookie|set-cookie)"
    r"([\"']?\s*[:=,]\s*(?:b?[\"'])?\s*)(?:(bearer|basic|token)\s+)?[^\s\"',;)]+"
)
_BEARER = re.compile(r"(?i)\b(bearer)\s+(?!\*\*\*)[\w.~+/=\-]+")
# uvicorn writes the client as `host:port` (get_client_addr); IPv6 hosts keep their colons.
_HOST_PORT = re.compile(r"([\w.:\[\]\-]+):\d{1,5}")


class Redactor(logging.Filter):
    """Rewrites each record so that credentials never reach the log.

    Masks credential-looking query parameters and header values wherever they appear in the message,
    in string `extra` fields and in exception text, and every literal occurrence of `secrets` (the
    configured API key, also percent-encoded). The message is formatted here once (`args` merged), so
    the formatter writes exactly the redacted text.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        literal = {s for s in secrets if s and s.strip()}
        literal |= {quote(s, safe="") for s in literal}
        self._secrets = sorted(literal, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        text = _PARAM.sub(lambda m: f"{m[1]}={MASK}", text)
        text = _HEADER.sub(lambda m: f"{m[1]}{m[2]}{m[3] + ' ' if m[3] else ''}{MASK}", text)
        return _BEARER.sub(lambda m: f"{m[1]} {MASK}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        for name, value in record.__dict__.items():
            if isinstance(value, str) and name not in _UNTOUCHED:
                record.__dict__[name] = self.redact(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.redact(_EXCEPTIONS.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


# String attributes of every record that never hold client input (and `msg`, done above).
_UNTOUCHED = frozenset(
    {"msg", "name", "levelname", "pathname", "filename", "module", "funcName", "threadName", "processName"}
)
_EXCEPTIONS = logging.Formatter()


class FloodFilter(logging.Filter):
    """Drops a line once its kind (logger, message template, client) has logged `lines` times within
    `window` seconds; when the window ends, one summary line says how many were dropped.

    The client is a record's `client` extra, else the host of uvicorn's `host:port` argument, so
    reconnects from one address share a budget. At most `max_kinds` kinds are tracked at a time; a
    line of a further kind passes unchecked rather than growing the table.
    """

    def __init__(
        self,
        lines: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        max_kinds: int = 10_000,
    ) -> None:
        super().__init__()
        self.lines = lines
        self.window = window
        self.max_kinds = max_kinds
        self._clock = clock
        self._lock = threading.Lock()  # records may come from any thread
        # kind -> [window start, lines seen, lines dropped]
        self._kinds: dict[tuple[str, str, str], list[float]] = {}
        self._next_sweep = 0.0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.__dict__.get("flood_dropped") is not None:
            return True  # our own summary
        kind = (record.name, str(record.msg), _client(record))
        now = self._clock()
        ended: list[tuple[tuple[str, str, str], int]] = []
        with self._lock:
            if now >= self._next_sweep:
                ended = self._sweep(now)
            counts = self._kinds.get(kind)
            if counts is not None and now - counts[0] >= self.window:  # its window ended: a new one
                if counts[2]:
                    ended.append((kind, int(counts[2])))
                del self._kinds[kind]
                counts = None
            if counts is None:
                if len(self._kinds) < self.max_kinds:
                    self._kinds[kind] = [now, 1, 0]
                keep = True
            else:
                counts[1] += 1
                keep = counts[1] <= self.lines
                if not keep:
                    counts[2] += 1
        for ended_kind, dropped in ended:  # outside the lock: the summary passes through here again
            _summarize(ended_kind, dropped)
        return keep

    def _sweep(self, now: float) -> list[tuple[tuple[str, str, str], int]]:
        """Forget the kinds whose window ended; the ones that dropped lines, with their counts."""
        self._next_sweep = now + self.window
        ended = [kind for kind, counts in self._kinds.items() if now - counts[0] >= self.window]
        dropped = []
        for kind in ended:
            counts = self._kinds.pop(kind)
            if counts[2]:
                dropped.append((kind, int(counts[2])))
        return dropped


def _client(record: logging.LogRecord) -> str:
    client = record.__dict__.get("client")
    if client is not None:
        return str(client)
    if isinstance(record.args, tuple):
        for arg in record.args:
            if isinstance(arg, str) and (match := _HOST_PORT.fullmatch(arg)):
                return match[1]
    return ""


_log = logging.getLogger("tradewire.gateway.logs")


def _summarize(kind: tuple[str, str, str], dropped: int) -> None:
    logger, template, client = kind
    _log.warning(
        "suppressed %d similar lines of %s %r (client %s)",
        dropped,
        logger,
        template,
        client or "-",
        extra={"flood_dropped": dropped, "flood_logger": logger, "flood_message": template, "client": client},
    )
