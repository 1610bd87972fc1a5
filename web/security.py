"""What a local server holding interview transcripts must refuse, as a notebook server does.

Every request passes `Guard` first:
- the Host header must name this computer (127.0.0.1, localhost, [::1], with the server's
  port): a web page whose name an attacker re-pointed at 127.0.0.1 (DNS rebinding) is refused;
- the request must belong to a session: the random token in the link `stc serve` printed is
  exchanged, once per browser, for an HttpOnly, SameSite=Strict cookie, and the browser is sent
  on to the same address without the token;
- a write (any method but GET and HEAD) must come from the workbench's own pages (Origin, or
  Referer when the browser sends no Origin) and carry the session's CSRF token, in the header
  `X-CSRF-Token` (htmx sends it from `hx-headers`) or the form field `csrf_token`.
Every answer carries a Content-Security-Policy without inline scripts or styles, and pages are
never cached. Tokens are compared with `hmac.compare_digest`.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from stc.errors import StcError

from .render import error_page

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
SAFE_METHODS = frozenset({"GET", "HEAD"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
MAX_BODY = 1_000_000  # bytes; forms of the workbench are small

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
# a report the workbench shows (the results chapter beside the editors, the audit report): a
# self-contained page whose only style is its own <style>, with no script, framed only by the
# workbench's own pages
REPORT_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
                 " frame-ancestors 'self'; form-action 'none'; base-uri 'none'")
REPORT_HEADERS = {"content-security-policy": REPORT_POLICY, "x-frame-options": "SAMEORIGIN"}
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def same(given: str, expected: str) -> bool:
    """Constant-time comparison of two tokens (bytes, so any text given compares safely)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def split_host(value: str) -> tuple[str, int | None]:
    """'127.0.0.1:8765' -> ('127.0.0.1', 8765); '[::1]:80' -> ('::1', 80)."""
    parts = urlsplit("//" + value)
    try:
        port = parts.port
    except ValueError:
        return value, -1  # a port that is no number matches no server
    return (parts.hostname or ""), port


class Guard:
    """ASGI middleware in front of the whole workbench (see the module's docstring)."""

    def __init__(self, app: ASGIApp, token: str, port: int | None,
                 hosts: frozenset[str] | None = LOOPBACK_NAMES) -> None:
        self.app = app
        self.token = token
        self.port = port  # None: any port (tests)
        self.hosts = hosts  # names the Host header may hold; None: any (--allow-remote)
        self.cookie = f"stc-workbench-{port}" if port else "stc-workbench"
        self.sessions: dict[str, str] = {}  # session cookie -> its CSRF token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # the workbench opens no websockets
            await send({"type": "websocket.close", "code": 1008})
            return
        send = _with_headers(send)
        request = Request(scope)
        try:
            csrf = self._session(request)
            if csrf is None:
                await self._start_session(request)(scope, receive, send)
                return
            if "token" in request.query_params:  # the link once more: drop the token again
                await _without_token(request)(scope, receive, send)
                return
            if request.method not in SAFE_METHODS:
                self._check_origin(request)
                receive = await self._check_csrf(request, receive, csrf)
        except Refused as refused:
            await error_page(refused.error, refused.status,
                             language=scope["app"].state.interface)(scope, receive, send)
            return
        scope.setdefault("state", {})["csrf"] = csrf
        await self.app(scope, receive, send)

    # -- each check ----------------------------------------------------------------------------

    def _session(self, request: Request) -> str | None:
        """The CSRF token of the request's session, after the Host check; None: no session."""
        host, port = split_host(request.headers.get("host", ""))
        named = host.lower() in self.hosts if self.hosts is not None else bool(host)
        if not named or (self.port is not None and port != self.port):
            raise Refused(StcError("E711", host=request.headers.get("host", "")), 403)
        cookie = request.cookies.get(self.cookie, "")
        for session, csrf in self.sessions.items():
            if same(cookie, session):
                return csrf
        return None

    def _start_session(self, request: Request) -> Response:
        """The token from the printed link, exchanged for a session cookie."""
        if request.method not in SAFE_METHODS or not same(
                request.query_params.get("token", ""), self.token):
            raise Refused(StcError("E710"), 403)
        session = secrets.token_urlsafe(32)
        self.sessions[session] = secrets.token_urlsafe(32)
        response = _without_token(request)
        response.set_cookie(self.cookie, session, httponly=True, samesite="strict", path="/")
        return response

    def _check_origin(self, request: Request) -> None:
        """A write must come from a page of this server: same scheme, host and port."""
        origin = request.headers.get("origin")
        if origin is None and request.headers.get("referer"):
            parts = urlsplit(request.headers["referer"])
            origin = f"{parts.scheme}://{parts.netloc}"
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin is None or not same(origin.lower(), own.lower()):
            raise Refused(StcError("E712", origin=origin or "an unknown page"), 403)

    async def _check_csrf(self, request: Request, receive: Receive, csrf: str) -> Receive:
        """The session's CSRF token, from the header or the form; returns a `receive` that
        hands the body, read here, on to the handler."""
        if same(request.headers.get(CSRF_HEADER, ""), csrf):
            return receive
        body, replay = await _read_body(receive)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        fields = dict(parse_qsl(body.decode("utf-8", "replace"))) if (
            kind == "application/x-www-form-urlencoded") else {}
        if not same(fields.get(CSRF_FIELD, ""), csrf):
            raise Refused(StcError("E713"), 403)
        return replay


class Refused(Exception):
    def __init__(self, error: StcError, status: int) -> None:
        super().__init__(error.message)
        self.error = error
        self.status = status


def _without_token(request: Request) -> Response:
    """A redirect to the same page without `token` in its address."""
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
    return RedirectResponse(request.url.path + (f"?{query}" if query else ""), status_code=303)


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body (up to MAX_BODY), and a `receive` that gives it again."""
    messages: list[Message] = []
    size = 0
    more = True
    while more:
        message = await receive()
        messages.append(message)
        size += len(message.get("body", b""))
        if size > MAX_BODY:
            raise Refused(StcError("E714", limit=MAX_BODY), 413)
        more = message.get("type") == "http.request" and message.get("more_body", False)

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return b"".join(m.get("body", b"") for m in messages), replay


def _with_headers(send: Send) -> Send:
    """`send` adding the security headers to the response, and no-store to every page. A
    response that sets one of them itself keeps its own (a report shown in a frame of the
    workbench's own pages has its own, stricter policy: see `REPORT_POLICY`)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            given = list(message.get("headers", []))
            own = {k.lower() for k, _ in given}
            headers = given + [(k, v) for k, v in HEADERS if k not in own]
            if b"cache-control" not in own:
                headers.append((b"cache-control", b"no-store"))
            message["headers"] = headers
        await send(message)

    return sending
