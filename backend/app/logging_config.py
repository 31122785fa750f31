"""Log set-up: JSON lines in production, readable lines elsewhere, the request id on every line.

Log records carry only what the code puts in them; nothing here formats request bodies or query
strings, and call sites pass ids, paths and exception types, never patient values.
"""

import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

from app.config import Settings

# The request being served by the current task; "-" outside a request.
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

# A caller's X-Request-ID is reused only when it looks like a generated id (a UUID, a trace
# id): hex digits and hyphens, 16 to 64 of them. Free text such as `P001-John` would put a
# patientID or a name in the log and the audit trail, so it is replaced.
_SANE_REQUEST_ID = re.compile(r"[0-9A-Fa-f-]{16,64}")

# Control characters (C0, DEL, C1) and Unicode line breaks, as escapes: a value with a newline
# or a terminal escape sequence in it cannot forge a log line or repaint a terminal.
_ESCAPES = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
}


def escaped(text: str) -> str:
    """`text` with every control character written as an escape."""
    return text.translate(_ESCAPES)


# Attributes every LogRecord has; anything else was passed with `extra=` and is worth printing.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",  # uvicorn's ANSI copy of the message
}


def request_id_from(header: str | None) -> str:
    """The caller's id when it is short and plain, else a fresh one."""
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


_factory_installed = False


def install_request_id_factory() -> None:
    """Stamp the current request id on every record, for every handler (pytest's included)."""
    global _factory_installed
    if _factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = request_id_var.get()
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {
        key: escaped(value) if isinstance(value, str) else value
        for key, value in vars(record).items()
        if key not in _STANDARD
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line for log shippers (ENVIRONMENT=production)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON object; an exception by its type only."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": escaped(record.getMessage()),
            **_extras(record),
        }
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: exception text from drivers can quote patient values.
            entry["exception"] = record.exc_info[0].__name__
        return orjson.dumps(entry, default=str).decode()


class ReadableFormatter(logging.Formatter):
    """`time LEVEL logger [request id] message key=value ...` for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line, extras as key=value; an exception by its type only."""
        record.request_id = getattr(record, "request_id", "-")
        exc_info, exc_text = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None  # never a traceback with values in it
        try:
            line = escaped(super().format(record))
        finally:
            record.exc_info, record.exc_text = exc_info, exc_text
        extras = {**_extras(record)}
        if exc_info and exc_info[0] is not None:
            extras["exception"] = exc_info[0].__name__
        return line + "".join(f" {key}={value}" for key, value in extras.items())


def configure_logging(settings: Settings) -> None:
    """Install the one root handler; uvicorn's loggers propagate into it."""
    install_request_id_factory()
    handler = logging.StreamHandler()
    production = settings.environment == "production"
    handler.setFormatter(JsonFormatter() if production else ReadableFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        # Ours from an earlier call, or basicConfig's plain stream handler.
        if getattr(old, "registry_handler", False) or type(old) is logging.StreamHandler:
            root.removeHandler(old)
    handler.registry_handler = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our access line replaces it
