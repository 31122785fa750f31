"""Patient registry: a json-server compatible REST API over PostgreSQL."""

# The one place the version is written: pyproject.toml, /health and the OpenAPI page read it.
__version__ = "0.1.0"
