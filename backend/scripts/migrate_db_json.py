"""Import a json-server db.json into PostgreSQL: `python backend/scripts/migrate_db_json.py PATH`.

A thin front over app.migration.cli (also installed as the `migrate-db-json` command).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # backend/, from any directory

from app.migration.cli import main

if __name__ == "__main__":
    sys.exit(main())
