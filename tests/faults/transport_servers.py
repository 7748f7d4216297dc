"""Misbehaving HTTP servers on 127.0.0.1 for the graph transport fault tests.

`FaultServer` speaks just enough HTTP/1.1 over raw sockets to misbehave on purpose: answer
slowly, stall, reset the connection after reading a request, send a gzip bomb or an endless
body, redirect anywhere. A `Behaviour` gets each parsed request and a `Wire` to answer on;
every request is logged (method, path, headers, body) so tests can count what arrived. One
connection serves one request (`Connection: close`), so each attempt is visible.
"""

from __future__ import annotations

import contextlib
import functools
import json
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

BASE = "/v1.0/directory/recovery"
SID = "MjAyNi0xMS0yOFQwMjozMDowMFo="
JOB = "d3f8e7e8-7e87-4a7f-9d2c-c1c2d7e8e1f1"
# How long a stalling or dripping behaviour keeps going at most (the client gives up first).
HOLD_SECONDS = 15.0


@dataclass(frozen=True)
class RawRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Wire:
    """One accepted connection: helpers to answer (well or badly)."""

    def __init__(self, sock: socket.socket, stop: threading.Event) -> None:
        self.sock = sock
        self.stop = stop

    def send(self, status: int, headers: dict[str, str] | None = None, body: Any = b"") -> None:
        """A complete answer; dict/list bodies are sent as JSON."""
        data, extra = _body(body)
        lines = [f"HTTP/1.1 {status} X", "Connection: close", f"Content-Length: {len(data)}"]
        lines += [f"{k}: {v}" for k, v in {**extra, **(headers or {})}.items()]
        self.raw(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)

    def head(self, status: int, headers: dict[str, str]) -> None:
        """Status line and headers only (the body is up to the caller)."""
        lines = [f"HTTP/1.1 {status} X", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.raw(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def hold(self, seconds: float = HOLD_SECONDS) -> None:
        """Say nothing until the client goes away (or `seconds` pass)."""
        self.sock.settimeout(0.05)
        end = time.monotonic() + seconds
        while time.monotonic() < end and not self.stop.is_set():
            try:
                if self.sock.recv(1) == b"":
                    return
            except TimeoutError:
                continue
            except OSError:
                return

    def drip(self, data: bytes, every: float = 0.1) -> None:
        """Send `data` one byte at a time, `every` seconds apart, until the client leaves."""
        end = time.monotonic() + HOLD_SECONDS
        for byte in data:
            if time.monotonic() > end or self.stop.is_set():
                return
            try:
                self.raw(bytes([byte]))
            except OSError:
                return
            time.sleep(every)

    def stream(self, chunk: bytes, total: int) -> None:
        """Send `chunk` repeatedly (chunked encoding) until `total` bytes or the client leaves."""
        sent = 0
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while sent < total and not self.stop.is_set():
            try:
                self.raw(frame)
            except OSError:
                return
            sent += len(chunk)
        try:
            self.raw(b"0\r\n\r\n")
        except OSError:
            return

    def reset(self) -> None:
        """Drop the connection with a TCP RST (SO_LINGER 0), no answer."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


Behaviour = Callable[[RawRequest, Wire], None]


def _body(body: Any) -> tuple[bytes, dict[str, str]]:
    if isinstance(body, bytes):
        return body, {}
    if isinstance(body, str):
        return body.encode(), {"Content-Type": "text/plain"}
    return json.dumps(body).encode(), {"Content-Type": "application/json"}


def _read_request(sock: socket.socket) -> RawRequest | None:
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        data = sock.recv(65536)
        if not data:
            return None
        buffer += data
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    while len(rest) < length:
        data = sock.recv(65536)
        if not data:
            break
        rest += data
    return RawRequest(method, target.split("?", 1)[0], headers, rest[:length])


@dataclass
class FaultServer:
    """A loopback server whose every request goes to `behaviour`; logs what arrived."""

    behaviour: Behaviour
    requests: list[RawRequest] = field(default_factory=list)
    _sock: socket.socket | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> FaultServer:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self._port = self._sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            request = _read_request(conn)
            if request is None:
                return
            self.requests.append(request)
            self.behaviour(request, Wire(conn, self._stop))
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def count(self, method: str) -> int:
        return sum(1 for r in self.requests if r.method == method)

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            self._sock.close()


def refused_url() -> str:
    """A loopback URL nothing listens on (connection refused)."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --- answers ----------------------------------------------------------------------------------


def snapshot_list() -> dict[str, Any]:
    return {"value": [{"id": SID, "createdDateTime": "2026-11-28T02:30:00Z"}]}


def preview_job(job_id: str = JOB) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.entraRecoveryServices.recoveryPreviewJob",
        "id": job_id,
        "status": "running",
        "createdDateTime": "2026-11-28T08:00:00Z",
    }


def sequence(*behaviours: Behaviour) -> Behaviour:
    """The n-th request gets the n-th behaviour (the last one repeats)."""
    lock = threading.Lock()
    count = [0]

    def behave(request: RawRequest, wire: Wire) -> None:
        with lock:
            index = min(count[0], len(behaviours) - 1)
            count[0] += 1
        behaviours[index](request, wire)

    return behave


def answer(status: int, body: Any = b"", headers: dict[str, str] | None = None) -> Behaviour:
    def behave(request: RawRequest, wire: Wire) -> None:
        wire.send(status, headers, body)

    return behave


@functools.cache
def gzip_bomb(size: int = 1 << 30) -> bytes:
    """A valid gzip member of `size` zero bytes (1 GiB in about 1 MB), built without
    compressing `size` bytes: full-flushed deflate blocks of 1 MiB of zeros are identical."""
    mib = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    blocks = size // len(mib)
    crc = 0
    for _ in range(blocks):
        crc = zlib.crc32(mib, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = struct.pack("<II", crc, (blocks * len(mib)) & 0xFFFFFFFF)
    return header + block * blocks + deflate.flush(zlib.Z_FINISH) + trailer
