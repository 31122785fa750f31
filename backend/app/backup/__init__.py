"""Backups of the registry: pg_dump archives with a manifest, optionally encrypted, made on
demand (`python -m app backup`) or daily beside the embedded server, and restored with a check
of every table's row count (`python -m app restore`). README, "Backing up and restoring"."""
