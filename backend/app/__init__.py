"""Patient registry: a json-server compatible REST API over PostgreSQL."""
