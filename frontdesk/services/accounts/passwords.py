"""Passwords: the rules a new one must meet, and argon2 hashing and checking through the one
hasher (which tests may swap for a cheaper one)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from frontdesk.services.errors import InvalidInput

MIN_PASSWORD = 10
MAX_PASSWORD = 200  # argon2 takes any length; this keeps a pasted novel out

#: The hasher every password goes through. Tests may swap in a cheaper one (monkeypatch this
#: name); production always uses argon2-cffi's defaults (argon2id, RFC 9106 low-memory).
PASSWORD_HASHER = PasswordHasher()

_dummy: tuple[PasswordHasher, str] | None = None


def hash_password(password: str) -> str:
    """The argon2 hash to store (for seeding; the admin commands hash for themselves)."""
    return PASSWORD_HASHER.hash(password)


def _verify(stored: str | None, password: str) -> bool:
    """argon2 verification; a missing hash still costs one verification (against a dummy)."""
    try:
        return PASSWORD_HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _rehash(stored: str | None, password: str) -> str | None:
    """A new hash when ``stored`` was made with older argon2 parameters than today's."""
    if stored is None or not PASSWORD_HASHER.check_needs_rehash(stored):
        return None
    return PASSWORD_HASHER.hash(password)


def _dummy_hash() -> str:
    global _dummy
    if _dummy is None or _dummy[0] is not PASSWORD_HASHER:
        _dummy = (PASSWORD_HASHER, PASSWORD_HASHER.hash("not anybody's password"))
    return _dummy[1]


def _check_password(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("password", f"at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput("password", f"at most {MAX_PASSWORD} characters")
    if username.lower() in password.lower():
        raise InvalidInput("password", "must not contain the username")
