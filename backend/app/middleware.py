"""Pure ASGI middleware: the per-request log line and request id, and the body guard (413/415).

Pure ASGI (no BaseHTTPMiddleware) so bodies stream through untouched and the cost per request
is a few attribute look-ups.
"""

import logging
import time

from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics
from app.error_handlers import error_response, unforeseen
from app.errors import PayloadTooLarge, RegistryError, UnsupportedMediaType
from app.logging_config import request_id_from, request_id_var

access = logging.getLogger("app.access")
errors = logging.getLogger("app.errors")

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# A refused body (413/415) is read and thrown away up to this many bytes before the answer, so
# a client that sends the whole body before reading (urllib, browsers' fetch) reads the answer:
# closing with unread bytes makes the kernel reset the connection. Beyond it (declared or
# streamed) the connection is closed without reading on; that client then sees a reset.
DRAIN_MAX_BYTES = 10 * 1024 * 1024


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _route(scope: Scope) -> dict[str, str]:
    """What the access log may say about the path: the matched route's template and its
    numeric path parameters; the front end's files as one name; anything else as unmatched."""
    route = scope.get("route")
    if isinstance(scope.get("endpoint"), StaticFiles):  # the mount (FastAPI names no route)
        return {"path": "(front end)"}
    if route is None:
        return {"path": "(no route)"}
    numeric = {
        name: value
        for name, value in scope.get("path_params", {}).items()
        if isinstance(value, str) and value.isascii() and value.isdigit()
    }
    return {"path": route.path, **numeric}


class RequestLogMiddleware:
    """One log line per request (method, path, status, duration, request id), the id echoed in
    `X-Request-ID`, and the 500 (`error_handlers.unforeseen`) for anything unhandled.

    The path is logged as its route's template (`/patients/{id}`) with the numeric ids: a raw
    path or query string can carry a name (`/patients/John%20Doe`, `?name=...`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request under its id; log it once it is answered."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(_header(scope, b"x-request-id"))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if not response_started:
                await unforeseen(exc)(scope, receive, send_with_id)
            else:
                errors.error("unhandled %s after the answer began", type(exc).__name__)
        finally:
            seconds = time.perf_counter() - started
            route = _route(scope)
            access.info(
                "request",
                extra={
                    "method": scope["method"],
                    **route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            metrics.observe_request(scope["method"], route["path"], status, seconds)
            request_id_var.reset(token)


def _is_json(content_type: str | None) -> bool:
    """application/json or any application/*+json, parameters such as charset allowed."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _drainable(scope: Scope, size: int | None) -> bool:
    """Whether a refused body is read before the answer: not when the client waits for
    `100 Continue` (it has sent nothing), nor when it is declared over DRAIN_MAX_BYTES."""
    waiting = (_header(scope, b"expect") or "").lower() == "100-continue"
    return not waiting and (size is None or size <= DRAIN_MAX_BYTES)


class BodyGuardMiddleware:
    """415 for a body not declared as JSON; 413 for a body over `max_bytes`, whether announced
    by Content-Length or only noticed while streaming (chunked uploads). Both close the
    connection, after reading the rest of the body up to DRAIN_MAX_BYTES."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse early what the headers already show; count what streams in."""
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        chunked = _header(scope, b"transfer-encoding") is not None
        has_body = chunked or (length is not None and length.strip() not in ("", "0"))
        declared = length.strip() if length is not None else ""
        size = int(declared) if declared.isascii() and declared.isdigit() else None
        if has_body and not _is_json(_header(scope, b"content-type")):
            drain = _drainable(scope, size)
            await self._reject(UnsupportedMediaType(), scope, receive, send, drain, 0)
            return
        if size is not None and size > self.max_bytes:
            await self._reject(PayloadTooLarge(), scope, receive, send, _drainable(scope, size), 0)
            return

        received = 0
        more_body = True
        too_large = False

        async def counted() -> Message:
            nonlocal received, more_body, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                more_body = message.get("more_body", False)
                if received > self.max_bytes:
                    too_large = True
                    # FastAPI re-raises HTTPException from body reading; the handler renders it.
                    raise HTTPException(PayloadTooLarge.status_code, PayloadTooLarge.detail)
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if too_large and not started:
                return  # the handler's 413: answered below instead, after the drain
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except HTTPException:
            if not (too_large and not started):
                raise
        if too_large and not started:
            drain = more_body and received <= DRAIN_MAX_BYTES
            await self._reject(PayloadTooLarge(), scope, receive, send, drain, received)

    @staticmethod
    async def _reject(
        error: RegistryError,
        scope: Scope,
        receive: Receive,
        send: Send,
        drain: bool,
        received: int,
    ) -> None:
        """Answer `error` and close; first read what is left of the body (`received` bytes of
        it read already) when `drain`, up to DRAIN_MAX_BYTES in all."""
        while drain and received <= DRAIN_MAX_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client left
            received += len(message.get("body", b""))
            drain = message.get("more_body", False)
        await error_response(error, {"Connection": "close"})(scope, receive, send)


# No inline script or style, nothing from other origins, never framed (clickjacking); data:
# images for the icons of Swagger UI (/docs).
CONTENT_SECURITY_POLICY = (
    b"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    b"form-action 'self'; frame-ancestors 'none'"
)
# Answers that carry patient data or credentials are never kept by a browser or proxy cache.
NO_STORE_PREFIXES = ("/patients", "/auth", "/users")
OPEN_ACCESS_WARNING = b'299 patient-registry "OPEN_ACCESS is on: patient routes need no sign-in"'


class HostRefused(RegistryError):
    """A Host header not in ALLOWED_HOSTS (a DNS-rebinding page, or a misconfigured proxy)."""

    status_code = 400
    detail = "Unknown host: this service answers only to the names in ALLOWED_HOSTS."


class SecurityMiddleware:
    """The browser-facing defences of every answer: a Host check against ALLOWED_HOSTS (so a
    DNS-rebinding page cannot reach a clinic workstation's registry; `/health` is exempt, it
    discloses nothing and load balancers probe it by address), the security headers, and
    `Cache-Control: no-store` on patient and account answers."""

    def __init__(
        self, app: ASGIApp, allowed_hosts: list[str], hsts: bool, open_access: bool
    ) -> None:
        self.app = app
        self.any_host = "*" in allowed_hosts
        self.hosts = frozenset(h.lower() for h in allowed_hosts if not h.startswith("*"))
        self.suffixes = tuple(h[1:].lower() for h in allowed_hosts if h.startswith("*."))
        self.headers = [
            (b"content-security-policy", CONTENT_SECURITY_POLICY),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
        ]
        if hsts:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))
        if open_access:
            self.headers.append((b"warning", OPEN_ACCESS_WARNING))

    def trusted(self, host_header: str | None) -> bool:
        """Whether the Host header (port ignored) names this service."""
        if self.any_host:
            return True
        if not host_header:
            return False
        host = host_header.lower()
        host = host.rpartition("]")[0] + "]" if host.startswith("[") else host.partition(":")[0]
        return host in self.hosts or host.endswith(self.suffixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse an unknown host; add the headers to whatever the app answers."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path != "/health" and not self.trusted(_header(scope, b"host")):
            await error_response(HostRefused())(scope, receive, send)
            return
        extra = self.headers
        if path.startswith(NO_STORE_PREFIXES):
            extra = [*extra, (b"cache-control", b"no-store")]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
