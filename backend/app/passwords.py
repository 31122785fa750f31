"""Passwords: the policy staff passwords must meet, and argon2id hashing through pwdlib.

Hashing costs tens of milliseconds on purpose; callers on the event loop run it in a thread
(`services.auth_service`), so one sign-in never stalls the other requests of its worker.
"""

from functools import cache
from importlib.resources import files

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 takes any length; a bound keeps one request's cost bounded

_hasher = PasswordHash((Argon2Hasher(),))


@cache
def _common() -> frozenset[str]:
    text = files("app").joinpath("data/common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def weakness(password: str, username: str) -> str | None:
    """Why `password` may not be used by `username`, or None if it may."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    if password.casefold() == username.casefold():
        return "must not be the username"
    if password.casefold() in _common():
        return "is too common; choose a less guessable one"
    return None


def hash_password(password: str) -> str:
    """An argon2id hash (salt and parameters included) to store."""
    return _hasher.hash(password)


def verify(password: str, stored: str | None) -> tuple[bool, str | None]:
    """Whether `password` matches `stored`, and a fresh hash when the stored one uses older
    parameters. With no stored hash (unknown user), a real hash is checked anyway, so both
    cases take the same time and answer alike."""
    if stored is None:
        _hasher.verify(password, _dummy_hash())
        return False, None
    return _hasher.verify_and_update(password, stored)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("never a password of anyone")
