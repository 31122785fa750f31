"""The manifest beside each archive: what a restore must find again (row counts per table), the
archive's checksum, and how it was made. It holds no patient data and is never encrypted."""

import json
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ValidationError

from app.files import write_private

ARCHIVE_SUFFIX = ".pgdump"
ENCRYPTED_SUFFIX = ".pgdump.enc"
MANIFEST_SUFFIX = ".manifest.json"
PREFIX = "registry-"


class Manifest(BaseModel):
    """One backup, as written next to its archive (`registry-<UTC time>.manifest.json`)."""

    format: int = 1
    created_at: datetime
    archive: str  # the archive's file name, in the same folder
    bytes: int
    sha256: str
    encrypted: bool
    schema_revision: str | None  # Alembic's, None for a database the registry never migrated
    server_version: str
    tool: str  # the pg_dump that made the archive
    tables: dict[str, int]  # every table of the registry and its rows, in the dumped snapshot


def stem(created_at: datetime) -> str:
    """`registry-20261202T020000.123Z`: sorts by time, unique to the millisecond, and nothing
    a shell or Windows dislikes."""
    moment = created_at.astimezone(UTC)
    return f"{PREFIX}{moment:%Y%m%dT%H%M%S}.{moment.microsecond // 1000:03d}Z"


def manifest_path(archive: Path) -> Path:
    """The manifest of `archive` (either suffix)."""
    name = archive.name.removesuffix(ENCRYPTED_SUFFIX).removesuffix(ARCHIVE_SUFFIX)
    return archive.with_name(name + MANIFEST_SUFFIX)


def write(path: Path, manifest: Manifest) -> None:
    """Write `manifest` beside its archive (0600, complete or not at all)."""
    write_private(path, manifest.model_dump_json(indent=2) + "\n")


def read(path: Path) -> Manifest:
    """The manifest at `path`; ValueError saying what is wrong with it."""
    try:
        return Manifest.model_validate(json.loads(path.read_text()))
    except FileNotFoundError:
        raise ValueError(f"no manifest {path.name} beside the archive") from None
    except (ValueError, ValidationError):
        raise ValueError(f"the manifest {path.name} is damaged") from None


def in_folder(folder: Path) -> list[Manifest]:
    """The backups in `folder` (readable manifests whose archive is there), oldest first."""
    found = []
    for path in sorted(folder.glob(PREFIX + "*" + MANIFEST_SUFFIX)):
        try:
            manifest = read(path)
        except ValueError:
            continue  # a damaged or foreign file is not a backup
        if (folder / manifest.archive).is_file():
            found.append(manifest)
    return sorted(found, key=lambda manifest: manifest.created_at)


def newest_backup_age_s(folder: Path, now: datetime | None = None) -> float | None:
    """Seconds since the newest backup in `folder` was made; None if it holds none."""
    try:
        manifests = in_folder(folder)
    except OSError:
        return None
    if not manifests:
        return None
    return ((now or datetime.now(UTC)) - manifests[-1].created_at).total_seconds()
