"""Optimistic concurrency: a record's `version` as its ETag, and what an If-Match header asks for.

Every update increments `patients.version` in the same statement that changes the row, so an
ETag names exactly one state of one record (strong comparison, RFC 9110 section 13.1.1).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Expected:
    """An If-Match precondition: any existing version (`*`) or one of the listed ones."""

    any_version: bool = False
    versions: frozenset[int] = frozenset()

    def allows(self, version: int) -> bool:
        """Whether a record stored at `version` satisfies the precondition."""
        return self.any_version or version in self.versions


def etag(version: int) -> str:
    """The ETag header value of a record at `version`."""
    return f'"{version}"'


def parse_if_match(header: str | None) -> Expected | None:
    """None when there is no precondition (json-server behaviour); otherwise what must match.

    Weak tags (W/"...") and tags this server never issued match nothing, so they answer 412.
    """
    if header is None or not header.strip():
        return None
    if header.strip() == "*":
        return Expected(any_version=True)
    versions = set()
    for tag in header.split(","):
        digits = tag.strip().removeprefix('"').removesuffix('"')
        quoted = tag.strip() == f'"{digits}"'
        if quoted and digits.isascii() and digits.isdigit() and len(digits) <= 10:
            versions.add(int(digits))
    return Expected(versions=frozenset(versions))
