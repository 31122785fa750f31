"""Statements per table: the only code that writes SQL for the API."""
