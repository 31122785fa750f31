"""The sample data `make run` loads into an empty database."""

import json
import logging
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import create_engine, func, insert, select

from app.models.patient import Patient
from app.schemas.patient import PatientCreate

logger = logging.getLogger(__name__)


def import_sample_if_empty(url: str, path: Path) -> int:
    """Import `path` once: only while the table is empty, so restarts never duplicate."""
    if not path.is_file():
        return 0
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if connection.scalar(select(func.count()).select_from(Patient)):
                return 0
            rows = []
            for record in json.loads(path.read_text(encoding="utf-8")).get("patients", []):
                legacy_id = record.pop("id", None)
                try:
                    data = PatientCreate.model_validate(record)
                except ValidationError:
                    logger.warning("sample record %s rejected", legacy_id)
                    continue
                rows.append({**data.model_dump(), "legacy_id": str(legacy_id)})
            if rows:
                connection.execute(insert(Patient), rows)
            logger.info("imported %d sample patients", len(rows))
            return len(rows)
    finally:
        engine.dispose()
