"""Passwords: the rules a new one must meet, and argon2 hashing and checking through the one
hasher (which tests may swap for a cheaper one).

argon2 at its recommended strength works through 64 MiB of memory for every check. A command
ends right after, but the full-screen app lives all day: it checks passwords in a short child
process (:data:`APART`, set by the app), so that working memory never becomes the app's own
peak. The child gets the hash and the password on its standard input, never in its arguments.
"""

from __future__ import annotations

import json
import subprocess
import sys

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from frontdesk.services.errors import FrontDeskError, InvalidInput

MIN_PASSWORD = 10
MAX_PASSWORD = 200  # argon2 takes any length; this keeps a pasted novel out

#: The hasher every password goes through. Tests may swap in a cheaper one (monkeypatch this
#: name); production always uses argon2-cffi's defaults (argon2id, RFC 9106 low-memory).
PASSWORD_HASHER = PasswordHasher()

_dummy: tuple[PasswordHasher, str] | None = None

#: Check passwords in a child process (the long-lived app sets this; commands do not).
APART = False
CHILD_TIMEOUT_S = 30.0


def hash_password(password: str) -> str:
    """The argon2 hash to store (for seeding; the admin commands hash for themselves)."""
    return PASSWORD_HASHER.hash(password)


def _verify(stored: str | None, password: str) -> bool:
    """argon2 verification; a missing hash still costs one verification (against a dummy)."""
    if APART:
        return _apart("verify", stored, password) == "yes"
    try:
        return PASSWORD_HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _rehash(stored: str | None, password: str) -> str | None:
    """A new hash when ``stored`` was made with older argon2 parameters than today's."""
    if stored is None or not PASSWORD_HASHER.check_needs_rehash(stored):
        return None
    if APART:
        return _apart("hash", None, password) or None
    return PASSWORD_HASHER.hash(password)


class PasswordCheckFailed(FrontDeskError):
    """The child process that checks a password did not answer: nothing was decided."""


def _apart(job: str, stored: str | None, password: str) -> str:
    """``job`` ("verify" or "hash") done in a new process (services/password_child.py, which
    imports argon2 alone), with the same argon2 parameters as this process's hasher."""
    h = PASSWORD_HASHER
    request = json.dumps({"job": job, "stored": stored, "password": password, "params": [
        h.time_cost, h.memory_cost, h.parallelism, h.hash_len, h.salt_len]})
    try:
        done = subprocess.run(
            [sys.executable, "-m", "frontdesk.services.password_child"], input=request,
            capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PasswordCheckFailed("the password could not be checked just now "
                                  f"({type(exc).__name__}); try again") from None
    if done.returncode != 0 or done.stdout.strip() not in ("yes", "no") and job == "verify":
        raise PasswordCheckFailed("the password could not be checked just now; try again")
    return done.stdout.strip()


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
