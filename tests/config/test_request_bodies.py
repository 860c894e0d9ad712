"""Request bodies are bounded before Django reads them (core/bodyguard.py), over real sockets against uvicorn
started as `make run` starts it."""
from __future__ import annotations

import json
import socket
import time

import pytest

from tests.config.conftest import photo_form
from tests.designs.conftest import photo_bytes

BODY_TIMEOUT_S = 2


@pytest.fixture(scope="module")
def server(serve):
    return serve(REQUEST_BODY_TIMEOUT_SECONDS=str(BODY_TIMEOUT_S), UPLOAD_BODY_TIMEOUT_SECONDS=str(BODY_TIMEOUT_S))


def _connect(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def _head(path: str, **headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed without an answer: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    while len(body) < int(headers.get("content-length", 0)):
        body += sock.recv(65536)
    return int(status_line.split()[1]), headers, body


def _error(body: bytes) -> dict:
    error = json.loads(body)["error"]
    assert set(error) == {"code", "message", "field"} and error["message"]
    return error


def test_it_refuses_a_declared_oversized_body_before_reading_it(server):
    with _connect(server) as sock:
        started = time.monotonic()
        sock.sendall(_head("/api/v1/auth/token/", Content_Type="application/json", Content_Length=str(10 * 2**20)))
        status, headers, body = _response(sock)  # no byte of the body was sent
    assert status == 413 and time.monotonic() - started < BODY_TIMEOUT_S
    assert _error(body)["code"] == "too_large" and headers["connection"] == "close"
    # The photo routes take 15 MB plus the form, and no more.
    with _connect(server) as sock:
        sock.sendall(_head("/transform/submit", Content_Type="multipart/form-data; boundary=x",
                           Content_Length=str(17 * 2**20)))
        status, _, body = _response(sock)
    assert status == 413 and _error(body)["code"] == "too_large"
    # Outside the API the answer is plain text.
    with _connect(server) as sock:
        sock.sendall(_head("/login/", Content_Type="application/x-www-form-urlencoded", Content_Length="100000"))
        status, headers, body = _response(sock)
    assert status == 413 and headers["content-type"].startswith("text/plain") and b"larger than 64 KB" in body


def test_it_cuts_a_streamed_body_at_the_limit(server):
    chunk = b"x" * 8192
    with _connect(server) as sock:
        sock.sendall(_head("/api/v1/auth/register/", Content_Type="application/json", Transfer_Encoding="chunked"))
        for _ in range(9):  # 72 KB, never the last chunk: without a count Django would wait for the end
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        status, _, body = _response(sock)
    assert status == 413 and _error(body)["code"] == "too_large"


def test_it_answers_408_to_a_body_that_never_arrives(server):
    with _connect(server) as sock:
        started = time.monotonic()
        sock.sendall(_head("/api/v1/auth/token/", Content_Type="application/json", Content_Length="1000"))
        sock.sendall(b'{"email": ')  # and then a trickle, slower than the deadline allows
        sock.settimeout(0.3)
        status = None
        while status is None and time.monotonic() - started < BODY_TIMEOUT_S + 3:
            try:
                status, _, body = _response(sock)
            except TimeoutError:
                sock.sendall(b" ")
        elapsed = time.monotonic() - started
    assert status == 408 and _error(body)["code"] == "request_timeout"
    assert BODY_TIMEOUT_S <= elapsed < BODY_TIMEOUT_S + 2


@pytest.mark.django_db(transaction=True)
def test_it_takes_a_photo_larger_than_other_bodies(server):
    """The photo routes have their own, larger limit: a real upload of a few hundred KB goes through."""
    photo = photo_bytes(long_side=None)  # the fixture file as it is
    assert len(photo) > 64 * 1024
    body, content_type = photo_form(photo, field="file")
    with _connect(server) as sock:
        sock.sendall(_head("/transform/submit", Content_Type=content_type, Content_Length=str(len(body))) + body)
        status, _, answer = _response(sock)
    assert status == 200, answer  # the first client's contract answers a submit with 200
    assert json.loads(answer)["success"] is True
