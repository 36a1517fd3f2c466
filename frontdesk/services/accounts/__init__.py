"""Staff accounts: passwords (argon2), signing in, lockout after repeated failures, and the
admin's commands that add, disable and reset accounts.

``passwords`` holds the rules and the hasher, ``signin`` signing in and the lockout, ``admin``
the staff administration. The hasher is not re-exported here: it is read where it lives,
``passwords.PASSWORD_HASHER``, which is also where tests swap it for a cheaper one.
"""

from frontdesk.services.accounts.admin import (
    USERNAME_RULE,
    StaffStatus,
    add_staff,
    disable_staff,
    has_admin,
    reset_password,
    staff_status,
)
from frontdesk.services.accounts.passwords import hash_password
from frontdesk.services.accounts.signin import (
    AccountLocked,
    SignInRefused,
    anyone_can_sign_in,
    check_password,
    os_user_account,
    os_user_staff,
    password_set,
    prove,
    screen_locked,
    sign_in,
)

__all__ = [
    "USERNAME_RULE",
    "AccountLocked",
    "SignInRefused",
    "StaffStatus",
    "add_staff",
    "anyone_can_sign_in",
    "check_password",
    "disable_staff",
    "has_admin",
    "hash_password",
    "os_user_account",
    "os_user_staff",
    "password_set",
    "prove",
    "reset_password",
    "screen_locked",
    "sign_in",
    "staff_status",
]
