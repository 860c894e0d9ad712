"""A loopback TCP forwarder that can go dark: to a client, an outage looks like a server restarting.

Postgres and the S3 server are shared with the rest of the test session, so a drill cannot stop them.
It puts this proxy between them and the worker instead: `outage()` drops every open connection and
refuses new ones (ECONNREFUSED, as a restarting server does) until `restore()` listens on the same port.
"""
from __future__ import annotations

import contextlib
import socket
import threading
import time

from tests.servers import free_port

ACCEPT_POLL_S = 0.1  # how soon a closed listener's thread notices (close() does not wake accept() on Linux)


class TcpProxy:
    def __init__(self, upstream_port: int, *, port: int | None = None) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.port = port or free_port()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener: socket.socket | None = None

    def start(self) -> TcpProxy:
        listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR: the same port at once
        listener.settimeout(ACCEPT_POLL_S)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), name=f"proxy-{self.port}", daemon=True).start()
        return self

    def outage(self) -> None:
        """Stop listening and cut every connection going through."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            sockets, self._open = self._open, set()
        for sock in sockets:
            _cut(sock)

    def restore(self) -> None:
        self.start()

    def down_for(self, seconds: float) -> None:
        self.outage()
        time.sleep(seconds)
        self.restore()

    stop = outage

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by outage()
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._open |= {client, upstream}
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            # Shutting both down wakes the pump going the other way, which is blocked in recv().
            for sock in (source, target):
                _cut(sock)
            with self._lock:
                self._open -= {source, target}


def _cut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
