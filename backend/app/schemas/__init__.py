"""Pydantic request and response models (camelCase on the wire)."""
