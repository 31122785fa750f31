"""Reading a json-server database file: `{"patients": [...], ...}` as json-server stores it.

`.json` is streamed (constant memory); `.json5`, which json-server 1.0 also accepts, is parsed by
the `json5` package in one piece (such files are hand-written and small).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ijson

# An unpaired surrogate written as a JSON escape (a high one not followed by a low one, or a
# low one not preceded by a high one). ijson's fast C backend turns it into "?", which would
# import a changed name; a file holding one is read with ijson's Python backend instead, which
# keeps it, so the record is rejected naming its field (app/schemas/text.py).
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_SCAN_CHUNK = 1 << 20
_ESCAPE_PAIR = 12  # bytes of a surrogate pair escape: a match may straddle two chunks

COLLECTION = "patients"
_ITEM = f"{COLLECTION}.item"
_ITEM_STARTS = frozenset({"start_map", "start_array", "null", "boolean", "number", "string"})


class SourceError(Exception):
    """The file cannot be read as a json-server database (missing, not JSON, wrong shape)."""


@dataclass
class SourceInfo:
    """What a first pass over the file learnt: it parses, how many patients, what else is in it."""

    total: int = 0
    ignored: list[str] = field(default_factory=list)
    lone_surrogates: bool = False


class Source:
    """One db.json (or db.json5): checked once up front, then its patients read in file order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.json5 = path.suffix.lower() == ".json5"
        self._document: Any = None
        self.info = self._inspect()

    def records(self) -> Iterator[Any]:
        """Each element of the patients array, in file order (position = index + 1)."""
        if self.json5:
            yield from self._document.get(COLLECTION) or []
            return
        if self.info.total == 0:
            return
        with self._open() as stream:
            yield from _backend(self.info).items(stream, _ITEM, use_float=True)

    def _open(self) -> IO[bytes]:
        try:
            return self.path.open("rb")
        except OSError as error:
            raise SourceError(f"cannot read {self.path}: {error.strerror}") from None

    def _inspect(self) -> SourceInfo:
        """Parse the whole file once before anything is written: a file that is not valid JSON
        (say, truncated) writes nothing, and the progress bar knows its total."""
        if self.json5:
            return self._inspect_json5()
        info = SourceInfo()
        with self._open() as stream:
            if not stream.read(4096).strip():
                return info  # json-server treats an empty file as {}
            stream.seek(0)
            info.lone_surrogates = _holds_lone_surrogate(stream)
            stream.seek(0)
            first = True
            try:
                for prefix, event, value in _backend(info).parse(stream):
                    if first:
                        _require_object(event)
                        first = False
                    if prefix == _ITEM:
                        if event in _ITEM_STARTS:
                            info.total += 1
                    elif prefix == "" and event == "map_key" and value != COLLECTION:
                        info.ignored.append(str(value))
                    elif prefix == COLLECTION and event not in ("start_array", "end_array"):
                        raise SourceError('"patients" must be an array')
            except ijson.JSONError as error:
                raise SourceError(f"{self.path} is not valid JSON: {error}") from None
            except UnicodeDecodeError as error:
                raise SourceError(f"{self.path} is not UTF-8 text: {error.reason}") from None
        return info

    def _inspect_json5(self) -> SourceInfo:
        import json5  # only for .json5 files

        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SourceError(f"cannot read {self.path}: {error}") from None
        try:
            document = json5.loads(text) if text.strip() else {}
        except ValueError as error:
            raise SourceError(f"{self.path} is not valid JSON5: {error}") from None
        if not isinstance(document, dict):
            raise SourceError("the top level must be an object of collections")
        patients = document.get(COLLECTION)
        if patients is not None and not isinstance(patients, list):
            raise SourceError('"patients" must be an array')
        self._document = document
        ignored = [str(key) for key in document if key != COLLECTION]
        return SourceInfo(total=len(patients or []), ignored=ignored)


def _backend(info: SourceInfo) -> Any:
    """ijson's C backend, unless the file holds an unpaired surrogate (see _LONE_SURROGATE)."""
    return ijson.get_backend("python") if info.lone_surrogates else ijson


def _holds_lone_surrogate(stream: IO[bytes]) -> bool:
    tail = b""
    while chunk := stream.read(_SCAN_CHUNK):
        window = tail + chunk
        # A plain search first: most files hold no surrogate escape at all (the regex alone
        # would add seconds per 100 MB).
        maybe = b"\\ud" in window or b"\\uD" in window
        if maybe and _LONE_SURROGATE.search(window):
            return True
        tail = window[-_ESCAPE_PAIR:]
    return False


def _require_object(event: str) -> None:
    if event != "start_map":
        raise SourceError("the top level must be an object of collections")
