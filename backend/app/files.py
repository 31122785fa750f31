"""Files of the service's own that may hold secrets or health data: private to its user."""

import os
from pathlib import Path


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` readable by this user only (0600, in a 0700 folder made if
    missing), complete or not at all: it is written beside and then renamed into place."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an older partial file may have had another mode
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    partial.replace(path)
