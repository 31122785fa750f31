"""uvicorn's httptools protocol with a bound on the request head: 431 past 16 KiB or 100 headers.

httptools has no limit of its own (a 64 MB header was accepted), and h11, which has one, is
slower. The head is measured twice, because httptools keeps a header's name and value to itself
until the header ends:

- while the head is incomplete, every read counts whole (`data_received`): memory stays within
  the cap plus one socket read however the head is cut;
- once it is complete, its URL, header names and values, and the number of headers
  (`on_headers_complete`, before any ASGI app starts): a head that arrived in one read.

Both measures are at most the head's real size, so a head within the cap is never refused. A
read in which one message ends and the next begins (pipelining) is not counted: part of it is
the earlier message's body.

A refusal raised in a parser callback reaches uvicorn as an `httptools.HttpParserError`, which
it answers with `send_400_response`; the override below answers 431 instead. The 431 is written
to the socket directly (no app is involved yet) and the connection closed.
"""

import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

MAX_HEAD_BYTES = 16 * 1024
MAX_HEADERS = 100
BODY = orjson.dumps(
    {
        "detail": f"The request's headers are too large: at most {MAX_HEAD_BYTES} bytes, "
        f"{MAX_HEADERS} fields."
    }
)


class HeadTooLarge(Exception):
    """Stops the parser inside a callback; uvicorn then calls `send_400_response`."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` refusing an oversized request head with 431 (module docstring)."""

    # Per connection, set on the instance; class defaults spare an __init__.
    in_head = False
    head_bytes = 0
    message_ended = False
    head_refused = False

    def data_received(self, data: bytes) -> None:
        """Parse, then count the read if the head is still incomplete."""
        self.message_ended = False
        super().data_received(data)
        if self.in_head and not self.message_ended:
            self.head_bytes += len(data)
            if self.head_bytes > MAX_HEAD_BYTES:
                self.refuse()

    def on_message_begin(self) -> None:
        """A new request: its head starts."""
        super().on_message_begin()
        self.in_head = True
        self.head_bytes = 0

    def on_headers_complete(self) -> None:
        """Refuse a head over either limit before the app sees it."""
        self.in_head = False
        size = len(self.url) + sum([len(name) + len(value) for name, value in self.headers])
        if len(self.headers) > MAX_HEADERS or size > MAX_HEAD_BYTES:
            self.head_refused = True
            raise HeadTooLarge
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """Mark the read in which a message ended: the next head's start shares it."""
        self.message_ended = True
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a parser error, ours when the error is our refusal."""
        if self.head_refused:
            self.refuse()
        else:
            super().send_400_response(msg)

    def refuse(self) -> None:
        """Write the 431 in the one JSON error shape and close the connection."""
        if self.transport.is_closing():
            return
        self.logger.warning(
            "Request head refused (431): over %d bytes or %d headers", MAX_HEAD_BYTES, MAX_HEADERS
        )
        content = [STATUS_LINE[431]]
        for name, value in self.server_state.default_headers:
            content += [name, b": ", value, b"\r\n"]
        content += [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(BODY),
            b"connection: close\r\n\r\n",
            BODY,
        ]
        self.transport.write(b"".join(content))
        self.transport.close()
