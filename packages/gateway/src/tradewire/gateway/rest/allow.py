"""OPTIONS on every REST path: 204 with an `Allow` header that lists every method the path serves."""

# Litestar makes an OPTIONS handler for the first handler registered on a path and keeps it when
# more handlers join the path, so its Allow named one method (`OPTIONS, POST` on /v1/orders). An
# explicit OPTIONS handler per path replaces it. CORS preflights never reach these: the CORS
# middleware answers them before routing.

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from litestar import Response, route
from litestar.enums import HttpMethod
from litestar.handlers import HTTPRouteHandler

from tradewire.gateway.http import AnyRequest

#: Handler options an OPTIONS handler shares with its path when every handler there has them (auth.py).
SHARED_OPTS = ("public", "docs")


def _options(path: str, allow: str, opt: dict[str, bool]) -> HTTPRouteHandler:
    async def options(request: AnyRequest) -> Response[bytes]:
        return Response(b"", status_code=204, headers={"Allow": allow})

    return route(path, http_method=[HttpMethod.OPTIONS], opt=opt, include_in_schema=False)(options)


def options_routes(handlers: Iterable[object]) -> list[HTTPRouteHandler]:
    """One OPTIONS handler per path of `handlers` (HTTP ones), answering with all of that path's methods."""
    by_path: dict[str, list[HTTPRouteHandler]] = defaultdict(list)
    for handler in handlers:
        if isinstance(handler, HTTPRouteHandler):
            for path in handler.paths:
                by_path[path].append(handler)
    out = []
    for path, siblings in by_path.items():
        methods = {*(m for h in siblings for m in h.http_methods), HttpMethod.OPTIONS.value}
        opt = {key: True for key in SHARED_OPTS if all(h.opt.get(key) for h in siblings)}
        out.append(_options(path, ", ".join(sorted(methods)), opt))
    return out
