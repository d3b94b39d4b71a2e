"""The OpenAPI document (built from the wire table) and Swagger UI from bundled assets."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.exceptions import NotFoundException

from tradewire.gateway import openapi
from tradewire.gateway.http import AnyRequest
from tradewire.protocol import routes

STATIC = Path(__file__).resolve().parent.parent / "static"
_TYPES = {
    ".js": "application/javascript",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
}


@get(routes.OPENAPI)
async def openapi_document(request: AnyRequest) -> Response[bytes]:
    """The OpenAPI 3.1 document of this gateway."""
    return Response(openapi.document_bytes(), media_type="application/json")


@get(routes.DOCS, opt={"docs": True})
async def swagger_ui(request: AnyRequest) -> Response[bytes]:
    """Swagger UI (assets bundled with the package; works offline)."""
    return Response((STATIC / "index.html").read_bytes(), media_type=_TYPES[".html"])


@get(routes.DOCS + "/{name:str}", opt={"docs": True})
async def swagger_asset(request: AnyRequest) -> Response[bytes]:
    """One bundled Swagger UI asset."""
    name = request.path_params["name"]
    path = STATIC / name
    if "/" in name or name.startswith(".") or not path.is_file() or path.suffix not in _TYPES:
        raise NotFoundException()
    return Response(
        path.read_bytes(), media_type=_TYPES[path.suffix], headers={"Cache-Control": "max-age=3600"}
    )


ROUTES = [openapi_document, swagger_ui, swagger_asset]
