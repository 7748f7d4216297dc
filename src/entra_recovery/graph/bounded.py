"""
Reading an answer body under a size cap that counts decompressed bytes, while reading.

Used by `middleware.BoundedExchange` for every attempt of every request. httpx would read the
whole body and inflate each network chunk in one step (a 64 KiB chunk of a gzip bomb becomes
64 MiB at once); here the raw chunks go through zlib with `max_length`, so no more than the
cap plus one slice (`_SLICE`) is ever held, whatever the compression ratio. A declared
`Content-Length` above the cap is refused before reading. Only `gzip` and `deflate` are asked
for (`ACCEPT_ENCODING`); any other encoding is refused rather than trusted.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

ACCEPT_ENCODING = "gzip, deflate"
# Most bytes one decompression step may produce (bounds memory per step, not the total).
_SLICE = 1024 * 1024


class BodyError(Exception):
    """The body passed the cap (`too_large`) or could not be decoded."""

    def __init__(self, detail: str, *, too_large: bool = False, limit: int = 0) -> None:
        super().__init__(detail)
        self.detail = detail
        self.too_large = too_large
        self.limit = limit


class _Inflater:
    """Incremental gzip/deflate decoding that never makes more than `_SLICE` bytes at once."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._raw_deflate_tried = False
        if encoding == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data and not self._zlib.eof:
            try:
                piece = self._zlib.decompress(data, _SLICE)
            except zlib.error as exc:
                if self.encoding == "deflate" and not self._started and not self._raw_deflate_tried:
                    # Some servers send raw deflate without the zlib header (httpx does the same).
                    self._raw_deflate_tried = True
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise BodyError(f"the {self.encoding} body is corrupt ({exc})") from None
            self._started = True
            if piece:
                yield piece
            data = self._zlib.unconsumed_tail

    def finish(self) -> None:
        if self._started and not self._zlib.eof:
            raise BodyError(f"the {self.encoding} body ended early")


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def finish(self) -> None:
        return None


def _decoder(content_encoding: str | None) -> _Inflater | _Identity:
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return _Identity()
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _Inflater("deflate" if codings[0] == "deflate" else "gzip")
    raise BodyError(f"unsupported Content-Encoding {content_encoding!r} (asked for gzip, deflate)")


def _declared_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "").strip()
    return int(value) if value.isdigit() else None


def _too_large(limit: int) -> BodyError:
    mib = limit / (1024 * 1024)
    size = f"{mib:g} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"
    return BodyError(f"the answer is larger than the cap of {size}", too_large=True, limit=limit)


async def read_bounded(response: httpx.Response, limit: int) -> bytes:
    """The decoded body of a streamed `response`, at most `limit` bytes.

    Raises:
        BodyError: more than `limit` bytes (declared or decoded), or an undecodable body.
    """
    declared = _declared_length(response)
    if declared is not None and declared > limit:
        raise _too_large(limit)
    decoder = _decoder(response.headers.get("content-encoding"))
    chunks: list[bytes] = []
    total = 0
    async for raw in response.aiter_raw():
        for piece in decoder.feed(raw):
            total += len(piece)
            if total > limit:
                raise _too_large(limit)
            chunks.append(piece)
    decoder.finish()
    return b"".join(chunks)
