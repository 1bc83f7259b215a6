"""A tiny local HTTP server for the download tests (127.0.0.1 only, never another address).

It serves byte strings registered under URL paths, and can misbehave on purpose:

- ``range=False``: ignore ``Range`` headers and always answer 200 with the whole file;
- ``cut_after=N, cut_times=K``: for the first K requests, promise the whole body
  (``Content-Length``) but send only N bytes and close the connection;
- ``status=500, status_times=K``: answer the first K requests with that HTTP error;
- ``stall=S, stall_times=K``: for the first K requests, send the headers and then wait S seconds
  (bounded) before the body, so that a client with a shorter timeout gives up;
- ``redirect="http://..."``: answer ``302 Found`` with that ``Location`` instead of the file;
- any path not registered answers 404.

``LocalHTTPServer(tls=(certfile, keyfile))`` serves https instead (a test makes a self-signed
certificate and points ``REQUESTS_CA_BUNDLE`` at it).

Validators: every file is served with a strong ``ETag`` (by default derived from its bytes;
``etag=None`` sends none, any string is sent as given) and a ``Last-Modified`` date (``None``: none).
A ranged request with ``If-Range`` is answered 206 only when the value matches the current ETag
(or Last-Modified date); otherwise 200 with the whole file, as RFC 9110 says. Registering new bytes
under the same path (``add`` again) models a file that changed on the server.

Every request is logged in ``server.requests`` as ``(path, range_header_or_None)``, and with all
its headers in ``server.request_headers`` as ``(path, {header: value})``.

The server binds a free port on 127.0.0.1, runs in a daemon thread and stops by itself after
``lifetime`` seconds even if a test forgets to stop it. Use it through the ``http_server``
fixture of the test modules, or as a context manager.
"""

from __future__ import annotations

import hashlib
import re
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

HOST = "127.0.0.1"
_MAX_STALL_S = 5.0
_AUTO = "auto"
DEFAULT_LAST_MODIFIED = "Thu, 08 Sep 2011 10:00:00 GMT"


@dataclass
class Route:
    data: bytes
    range: bool = True
    cut_after: Optional[int] = None
    cut_times: int = 0
    status: Optional[int] = None
    status_times: int = 0
    stall: float = 0.0
    stall_times: int = 0
    etag: Optional[str] = _AUTO
    last_modified: Optional[str] = DEFAULT_LAST_MODIFIED
    redirect: Optional[str] = None

    def __post_init__(self):
        if self.etag == _AUTO:
            self.etag = '"' + hashlib.sha256(self.data).hexdigest()[:16] + '"'


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"
    timeout = 10  # a stuck client never holds a handler thread for long

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        return

    def do_GET(self):  # noqa: N802 - http.server naming
        range_header = self.headers.get("Range")
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.requests.append((path, range_header))
            self.server.request_headers.append((path, dict(self.headers.items())))
            route = self.server.routes.get(path)
            if route is None:
                decision = ("404", None)
            elif route.redirect is not None:
                decision = ("redirect", route.redirect)
            elif route.status is not None and route.status_times > 0:
                route.status_times -= 1
                decision = ("status", route.status)
            else:
                cut = None
                if route.cut_after is not None and route.cut_times > 0:
                    route.cut_times -= 1
                    cut = route.cut_after
                stall = 0.0
                if route.stall and route.stall_times > 0:
                    route.stall_times -= 1
                    stall = min(route.stall, _MAX_STALL_S)
                decision = ("serve", (cut, stall))
        kind, arg = decision
        if kind == "404":
            self._send_simple(404, b"not found")
        elif kind == "redirect":
            self.send_response(302)
            self.send_header("Location", arg)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif kind == "status":
            self._send_simple(arg, b"server error")
        else:
            self._serve(route, range_header, *arg)

    def _send_simple(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _serve(self, route: Route, range_header: Optional[str], cut: Optional[int], stall: float) -> None:
        data = route.data
        total = len(data)
        start = 0
        code = 200
        if_range = self.headers.get("If-Range")
        if if_range is not None and if_range not in (route.etag, route.last_modified):
            range_header = None  # the client's copy is of another version: send the whole file
        if route.range and range_header:
            match = re.fullmatch(r"bytes=(\d+)-(\d*)", range_header.strip())
            if match:
                start = int(match.group(1))
                if start >= total:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{total}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                code = 206
        body = data[start:]
        self.send_response(code)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        if route.range:
            self.send_header("Accept-Ranges", "bytes")
        if route.etag is not None:
            self.send_header("ETag", route.etag)
        if route.last_modified is not None:
            self.send_header("Last-Modified", route.last_modified)
        if code == 206:
            self.send_header("Content-Range", f"bytes {start}-{total - 1}/{total}")
        if cut is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()
        if stall:
            time.sleep(stall)
        if cut is not None:
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__((HOST, 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, Optional[str]]] = []
        self.request_headers: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()

    def handle_error(self, request, client_address):
        """Clients that hang up (timeout and cut tests) are expected: no traceback on stderr."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class LocalHTTPServer:
    """Start with ``start()`` (or ``with LocalHTTPServer() as server:``), stop with ``stop()``."""

    def __init__(self, lifetime: float = 60.0, tls: Optional[tuple] = None):
        self.lifetime = lifetime
        self.tls = tls
        self._server: Optional[_Server] = None
        self._thread: Optional[threading.Thread] = None
        self._timer: Optional[threading.Timer] = None

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> "LocalHTTPServer":
        self._server = _Server()
        if self.tls is not None:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*map(str, self.tls))
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="test-http-server", daemon=True)
        self._thread.start()
        self._timer = threading.Timer(self.lifetime, self.stop)  # bounded: stops by itself
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if self._timer is not None and self._timer is not threading.current_thread():
            self._timer.cancel()
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def __enter__(self) -> "LocalHTTPServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ----------------------------------------------------------------- content
    @property
    def base_url(self) -> str:
        assert self._server is not None, "the server is not running"
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{HOST}:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def add(self, path: str, data: bytes, **behaviour) -> str:
        """Serve ``data`` at ``/path`` with the given misbehaviour (see the module docstring); returns the URL."""
        assert self._server is not None, "the server is not running"
        with self._server.lock:
            self._server.routes["/" + path.lstrip("/")] = Route(data=data, **behaviour)
        return self.url(path)

    @property
    def requests(self) -> list[tuple[str, Optional[str]]]:
        assert self._server is not None, "the server is not running"
        with self._server.lock:
            return list(self._server.requests)

    def headers_for(self, path: str) -> list[dict[str, str]]:
        """All request headers of every request for ``/path``, in order."""
        wanted = "/" + path.lstrip("/")
        with self._server.lock:
            return [headers for p, headers in self._server.request_headers if p == wanted]

    def requests_for(self, path: str) -> list[Optional[str]]:
        """The ``Range`` headers (``None`` when absent) of every request for ``/path``."""
        wanted = "/" + path.lstrip("/")
        return [rng for p, rng in self.requests if p == wanted]
