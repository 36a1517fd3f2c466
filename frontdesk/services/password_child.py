"""The child process that checks a password for the long-lived app (see
services/accounts/passwords.py): one request on stdin, one answer on stdout. It imports argon2
and nothing of frontdesk, so it starts in a few milliseconds and its 64 MiB of argon2 working
memory ends with it."""

from __future__ import annotations

import json
import sys

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


def main() -> int:
    request = json.loads(sys.stdin.read())
    time_cost, memory_cost, parallelism, hash_len, salt_len = request["params"]
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                            parallelism=parallelism, hash_len=hash_len, salt_len=salt_len)
    password, stored = request["password"], request["stored"]
    if request["job"] == "hash":
        print(hasher.hash(password))
        return 0
    ok: bool
    try:
        # a missing hash still costs one verification: against a fresh dummy
        ok = hasher.verify(stored or hasher.hash("not anybody's password"), password)
    except (VerificationError, InvalidHashError):
        ok = False
    print("yes" if ok and stored is not None else "no")
    return 0


if __name__ == "__main__":
    sys.exit(main())
