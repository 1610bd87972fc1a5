"""`stc serve`: listen on this computer, print the link, open the browser, stop on Ctrl-C."""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import secrets
import socket
import webbrowser
from collections.abc import Callable
from pathlib import Path

from stc.errors import StcError

from .security import LOOPBACK_NAMES, is_loopback

DEFAULT_PORT = 8765


def check_host(host: str, allow_remote: bool) -> str:
    """The address to listen on: loopback, or another one only when asked for deliberately."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return "127.0.0.1"
    if not is_loopback(host) and not allow_remote:
        raise StcError("E700", host=host)
    return host


def listen(host: str, port: int | None) -> socket.socket:
    """A listening socket: on `port`, or on DEFAULT_PORT or else any free port when none is
    asked for (0 asks for any free port)."""
    if port is None:
        try:
            return _bind(host, DEFAULT_PORT)
        except StcError as busy:
            if busy.code != "E701":
                raise
            return _bind(host, 0)
    return _bind(host, port)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # a port left in TIME_WAIT by the last run can be taken again; one in use cannot
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StcError("E701", port=port) from None
        raise StcError("E702", host=host, port=port, detail=exc.strerror or str(exc)) from None
    return sock


def link(host: str, port: int, token: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def allowed_hosts(host: str) -> frozenset[str] | None:
    """The names a request may address the server by: loopback names, and the address it
    listens on; None (any name) when it listens on every address."""
    if is_loopback(host):
        return LOOPBACK_NAMES
    if ipaddress.ip_address(host).is_unspecified:
        return None
    return LOOPBACK_NAMES | {host.lower()}


def serve(root: Path, author: str | None = None, host: str = "127.0.0.1",
          port: int | None = None, allow_remote: bool = False, open_browser: bool = True,
          interface: str | None = None, echo: Callable[[str], None] = print,
          warn: Callable[[str], None] = print) -> None:
    """Run the workbench on the project at `root` until Ctrl-C (or its Stop button): print
    exactly one line, the link with the session token, on `echo`."""
    import uvicorn  # here: the other commands never need the server

    from .app import create_app

    host = check_host(host, allow_remote)
    sock = listen(host, port)
    port = sock.getsockname()[1]
    token = secrets.token_urlsafe(32)
    server: uvicorn.Server | None = None

    def stop() -> None:
        if server is not None:
            server.should_exit = True

    app = create_app(root, token, port=port, author=author, hosts=allowed_hosts(host),
                     on_quit=stop, interface=interface)
    # plain uvicorn: h11 and asyncio, the same with or without optional native extras; no
    # access log, which would print transcript ids and the token
    config = uvicorn.Config(app, http="h11", loop="asyncio", ws="none", lifespan="off",
                            log_level="warning", access_log=False, server_header=False)
    server = uvicorn.Server(config)
    url = link(host, port, token)
    if not is_loopback(host):
        warn(f"Warning: the workbench listens on {host}: other computers that can reach it, and"
             " anyone who sees the link, can read the transcripts; the connection is not"
             " encrypted.")
    echo(url)
    if open_browser:
        webbrowser.open(url)  # the socket listens already: the browser's request waits for us
    with contextlib.suppress(KeyboardInterrupt):
        # uvicorn stops gracefully on the first Ctrl-C, then raises it again: that is a
        # clean stop here, not an interrupted command
        server.run(sockets=[sock])
    sock.close()
