"""Real servers on 127.0.0.1 for tests: one that serves with any request handler, and one that stalls."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """An HTTP server on a free loopback port answering with ``handler``; yields its base address."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def stalling_server() -> Iterator[tuple[str, threading.Event, threading.Event]]:
    """A server that accepts connections and never answers until ``release`` is set (then hangs up).

    Yields (address, accepted, release): ``accepted`` is set once a client has connected.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    accepted, release = threading.Event(), threading.Event()

    def hold() -> None:
        connections = []
        while not release.is_set():
            try:
                connections.append(listener.accept()[0])
                accepted.set()
            except TimeoutError:
                continue
        for connection in connections:
            connection.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted, release
    finally:
        release.set()
        thread.join()
        listener.close()


def bytes_handler(data: bytes, requests: list[str] | None = None) -> type[http.server.BaseHTTPRequestHandler]:
    """A handler that answers every GET with ``data`` (and appends each request's path to ``requests``)."""

    class Serves(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if requests is not None:
                requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            pass

    return Serves
