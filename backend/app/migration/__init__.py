"""Moving a json-server db.json into PostgreSQL."""
