"""Run json-server 1.0.0-beta.3 beside this API and send both the same requests.

The two sides number records differently (json-server: the strings of `db.json` or random hex;
here: integers), so every `id` in an answer is replaced by a label: the record's `patientID` when
that side first saw the record. Everything else in the answer must be identical.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[3]
JSON_SERVER = REPO / "node_modules" / ".bin" / "json-server"
JSON_SERVER_VERSION = "1.0.0-beta.3"
DB_JSON = Path(__file__).with_name("db.json")
RECORDS: list[dict[str, Any]] = json.loads(DB_JSON.read_text(encoding="utf-8"))["patients"]
STARTUP_SECONDS = 20.0

# What the two sides answer for an unknown id: the documented 404 deviation (see README).
JS_NOT_FOUND = "Not Found"
OUR_NOT_FOUND = {"detail": "No patient with this id."}

# Requests sent to both sides: identical answers required / documented deviations asserted.
COUNTS = {"compared": 0, "deviations": 0}


def check_installed() -> str | None:
    """Why json-server cannot run here (a message telling what to do), or None if it can."""
    if not JSON_SERVER.exists():
        return (
            f"json-server is not installed ({JSON_SERVER} is missing): run `npm ci` in {REPO} "
            f"(package.json pins json-server {JSON_SERVER_VERSION} as a devDependency)"
        )
    package = JSON_SERVER.resolve().parents[1] / "package.json"
    version = json.loads(package.read_text(encoding="utf-8"))["version"]
    if version != JSON_SERVER_VERSION:
        return f"json-server {version} is installed, not {JSON_SERVER_VERSION}: run `npm ci`"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def json_server() -> Iterator[str]:
    """json-server on a fresh copy of the test db.json, on a free loopback port; yields its URL.

    NODE_ENV=production turns off its file watcher, whose reloads race with its own writes."""
    with tempfile.TemporaryDirectory(prefix="contract-json-server-") as folder:
        work = Path(folder)
        (work / "public").mkdir()  # json-server serves ./public and fails if it is absent
        shutil.copy(DB_JSON, work / "db.json")
        port = _free_port()
        log = (work / "json-server.log").open("wb")
        process = subprocess.Popen(
            [str(JSON_SERVER), "--host", "127.0.0.1", "--port", str(port), "db.json"],
            cwd=work,
            env={**os.environ, "NODE_ENV": "production"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_answering(process, url, work / "json-server.log")
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            log.close()


def _wait_until_answering(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"json-server exited with {process.returncode}: {log.read_text()}")
        try:
            if httpx.get(f"{url}/patients", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"json-server did not answer within {STARTUP_SECONDS} s: {log.read_text()}")


# A patient neither side has yet: the body the write tests POST.
NEW = {
    "patientID": "P013",
    "name": "Bruno Díaz",
    "age": 45,
    "gender": "Male",
    "medicalCondition": "Asthma",
    "lastVisit": "2024-06-01",
}


@dataclass
class Answer:
    """One side's answer with ids replaced by labels."""

    status: int
    media_type: str
    body: Any
    raw: Any = None  # the body as sent, ids included
    headers: httpx.Headers = field(default_factory=httpx.Headers)


@dataclass
class Side:
    """One server and the id <-> label map of its records."""

    http: httpx.AsyncClient
    labels: dict[Any, str] = field(default_factory=dict)

    def id_of(self, label: str) -> Any:
        return next(key for key, value in self.labels.items() if value == label)

    async def send(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Answer:
        """`body`: JSON-encoded unless it is already bytes (sent as they are)."""
        content = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        headers = headers or ({"Content-Type": "application/json"} if content is not None else {})
        response = await self.http.request(method, path, content=content, headers=headers)
        media_type = response.headers.get("content-type", "").split(";")[0]
        status, answered = response.status_code, response.headers
        if media_type == "application/json" and response.content:
            raw = response.json()
            return Answer(status, media_type, self.label(raw), raw, answered)
        return Answer(status, media_type, response.text, response.text, answered)

    def label(self, body: Any) -> Any:
        """Replace each record's id with its label (a new record gets its patientID)."""
        if isinstance(body, list):
            return [self.label(item) for item in body]
        if isinstance(body, dict) and "data" in body and "pages" in body:
            return {**body, "data": self.label(body["data"])}
        if isinstance(body, dict) and "id" in body and "patientID" in body:
            label = self.labels.setdefault(body["id"], str(body["patientID"]))
            return {**body, "id": label}
        return body


@dataclass
class Twin:
    """json-server (`js`) and this API (`ours`), loaded with the same records in the same order."""

    js: Side
    ours: Side

    async def load(self) -> None:
        """json-server read db.json at start; this API gets the same records by POST, in order."""
        for record in RECORDS:
            self.js.labels[record["id"]] = record["patientID"]
            body = {key: value for key, value in record.items() if key != "id"}
            created = await self.ours.http.post("/patients", json=body)
            assert created.status_code == 201, created.text
            self.ours.labels[created.json()["id"]] = record["patientID"]

    async def both(
        self,
        method: str,
        path: str,
        body: Any = None,
        ref: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[Answer, Answer]:
        """Send one request to both sides; `{}` in `path` becomes the id each side has for `ref`."""
        paths = [path, path]
        if ref is not None:
            paths = [path.format(side.id_of(ref)) for side in (self.js, self.ours)]
        js = await self.js.send(method, paths[0], body, headers)
        return js, await self.ours.send(method, paths[1], body, headers)

    async def check(
        self, method: str, path: str, body: Any = None, ref: str | None = None
    ) -> Answer:
        """Both sides must answer alike: same status, media type and body (ids as labels).

        The one tolerated difference is the documented 404 body (json-server's plain text)."""
        js, ours = await self.both(method, path, body, ref)
        COUNTS["compared"] += 1
        where = f"{method} {path} {ref or ''}"
        assert js.status == ours.status, f"{where}: json-server {js}, ours {ours}"
        if js.status == 404:
            assert (js.body, ours.body) == (JS_NOT_FOUND, OUR_NOT_FOUND), where
            return ours
        assert (js.media_type, js.body) == (ours.media_type, ours.body), where
        return ours

    async def check_get(self, query: str) -> Any:
        """`GET /patients?query` must answer alike; returns the (labelled) body."""
        return (await self.check("GET", f"/patients?{query}" if query else "/patients")).body

    async def deviation(
        self,
        method: str,
        path: str,
        body: Any = None,
        ref: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[Answer, Answer]:
        """Send a request whose answers differ in a documented way; the caller asserts both."""
        COUNTS["deviations"] += 1
        return await self.both(method, path, body, ref, headers)

    async def deviation_get(self, query: str) -> tuple[Answer, Answer]:
        return await self.deviation("GET", f"/patients?{query}")


def ids(body: Any) -> list[str]:
    """The labels of a list answer, or of an envelope's data."""
    records = body["data"] if isinstance(body, dict) else body
    return [record["id"] for record in records]
