"""What the backup and restore commands print: what was made or checked, in a few lines."""

from pathlib import Path

from app.backup.manifest import Manifest, manifest_path, read
from app.backup.service import Restored


def _size(count: int) -> str:
    if count < 1000:
        return f"{count} bytes"
    value = float(count)
    for unit in ("KB", "MB", "GB"):
        value /= 1000
        if value < 1000 or unit == "GB":
            break
    return f"{value:.1f} {unit}"


def _rows(manifest: Manifest) -> str:
    return "\n".join(f"  {table:<22}{rows:>12,}" for table, rows in manifest.tables.items())


def made(archive: Path) -> str:
    """After a backup: where, how big, whether encrypted, and the rows it holds."""
    manifest = read(manifest_path(archive))
    protection = (
        "encrypted"
        if manifest.encrypted
        else "NOT encrypted: anyone who can read the file reads the registry "
        "(set BACKUP_PASSPHRASE to encrypt)"
    )
    return (
        f"Backed up to {archive} ({_size(manifest.bytes)}, {protection})\n"
        f"Manifest: {manifest_path(archive)}\nRows:\n{_rows(manifest)}"
    )


def verified(archive: Path, manifest: Manifest) -> str:
    """After --verify-only: what was checked."""
    opened = "decrypts, " if manifest.encrypted else ""
    return (
        f"Archive OK: {archive} matches its manifest (size and sha256), {opened}and "
        f"pg_restore reads all of it.\nMade {manifest.created_at:%Y-%m-%d %H:%M:%S} UTC by "
        f"{manifest.tool} from PostgreSQL {manifest.server_version}; rows:\n{_rows(manifest)}"
    )


def restored(archive: Path, outcome: Restored, audit_line: str) -> str:
    """After a restore: the rows found again, any schema upgrade, and the audit chain."""
    manifest = outcome.manifest
    lines = [
        f"Restored {archive} (made {manifest.created_at:%Y-%m-%d %H:%M:%S} UTC).",
        f"Every table has the rows its manifest lists:\n{_rows(manifest)}",
    ]
    if outcome.upgraded_from is not None:
        lines.append(f"Schema upgraded from revision {outcome.upgraded_from} to the code's.")
    lines.append(audit_line[0].upper() + audit_line[1:])
    return "\n".join(lines)
