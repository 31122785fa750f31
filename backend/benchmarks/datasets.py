"""The generated patients both servers get, written as json-server's db.json and COPYed into
PostgreSQL, plus the value files the wrk script picks from."""

import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import psycopg
from sqlalchemy import URL, create_engine, text

from app.db_admin import start_embedded, stop_embedded, upgrade_schema
from benchmarks import generate_db_json
from tests.db import sqlalchemy_url

SEED = 20241126
COLUMNS = ("id", "patient_id", "name", "age", "gender", "medical_condition", "last_visit")


def patients(count: int) -> Iterator[dict[str, Any]]:
    """The import benchmark's realistic records, made valid and given ids 1..count, so the same
    `GET /patients/{id}` and `?patientID=` requests find the same record on every server."""
    rng = random.Random(SEED)
    for index in range(1, count + 1):
        item = generate_db_json.record(rng, index)
        item["id"] = str(index)
        item["age"] = int(item["age"])
        yield item


def search_fragments() -> list[str]:
    """Name fragments a receptionist would type: the first four letters of a surname."""
    return sorted(
        {
            last[:4].lower()
            for last in generate_db_json.LAST
            if len(last) >= 4 and last[:4].isascii() and last[:4].isalpha()
        }
    )


@dataclass
class DataSet:
    """One size, ready on disk and in PostgreSQL."""

    count: int
    records: list[dict[str, Any]]
    db_json_bytes: bytes
    patient_ids: Path
    fragments: Path
    database_url: URL
    pg_bytes: int
    load_seconds: float


def write_values(folder: Path, count: int) -> tuple[Path, Path]:
    """The files the wrk script picks from: existing patientIDs and search fragments."""
    rng = random.Random(count)
    ids = folder / f"patient_ids_{count}.txt"
    ids.write_text("".join(f"P{rng.randint(1, count):07d}\n" for _ in range(2000)))
    fragments = folder / "fragments.txt"
    fragments.write_text("".join(f"{fragment}\n" for fragment in search_fragments()))
    return ids, fragments


def db_json(records: list[dict[str, Any]]) -> bytes:
    """json-server's database file for these records."""
    return orjson.dumps({"patients": records})


@contextmanager
def postgres_server(folder: Path) -> Iterator[URL]:
    """BENCH_DATABASE_URL's server, else the embedded one `make run` uses, kept in `folder`."""
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        yield sqlalchemy_url(explicit)
        return
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)  # the embedded server runs as its own user when we are root
    try:
        yield sqlalchemy_url(start_embedded(folder / "pg"))
    finally:
        stop_embedded()


def load_postgres(server: URL, count: int, records: list[dict[str, Any]]) -> tuple[URL, int]:
    """A fresh database `bench_<count>` at the schema's head, the records COPYed in with the
    secondary indexes built afterwards (one sort per index instead of 1M index inserts)."""
    name = f"bench_{count}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = server.set(database=name)
    upgrade_schema(url.render_as_string(hide_password=False))
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        indexes = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'patients' "
            "AND indexname <> 'pk_patients'"
        ).fetchall()
        for index, _ in indexes:
            connection.execute(f'DROP INDEX "{index}"')
        with connection.cursor() as cursor:
            columns = ", ".join(COLUMNS)
            with cursor.copy(f"COPY patients ({columns}) FROM STDIN") as copy:
                for item in records:
                    copy.write_row(
                        (
                            int(item["id"]),
                            item["patientID"],
                            item["name"],
                            item["age"],
                            item["gender"],
                            item["medicalCondition"],
                            item["lastVisit"],
                        )
                    )
        connection.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            connection.execute(definition)
        connection.execute(
            "SELECT setval(pg_get_serial_sequence('patients', 'id'), max(id)) FROM patients"
        )
        connection.execute("VACUUM ANALYZE patients")
        size = connection.execute("SELECT pg_total_relation_size('patients')").fetchone()
    return url, int(size[0]) if size else 0


def prepare(folder: Path, server: URL, count: int) -> DataSet:
    """Generate `count` patients and give them to PostgreSQL; db.json is written per server."""
    started = time.monotonic()
    records = list(patients(count))
    body = db_json(records)
    ids, fragments = write_values(folder, count)
    url, pg_bytes = load_postgres(server, count, records)
    return DataSet(count, records, body, ids, fragments, url, pg_bytes, time.monotonic() - started)
