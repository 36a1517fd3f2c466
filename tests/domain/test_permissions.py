"""The role ladder and the refusal messages (the service-level matrix is in
tests/services/test_permissions.py)."""

from __future__ import annotations

import pytest

from frontdesk.domain.model import Role
from frontdesk.domain.permissions import Permission, allowed, refusal, roles_for


def test_each_role_holds_what_the_roles_below_it_hold() -> None:
    ladder = [Role.RECEPTIONIST, Role.SCHEDULER, Role.MANAGER, Role.ADMIN]
    for permission in Permission:
        holders = [allowed(role, permission) for role in ladder]
        assert holders == sorted(holders), permission  # once allowed, allowed above too
        assert holders[-1], permission  # the admin may do everything


def test_who_holds_what() -> None:
    assert roles_for(Permission.BOOK) == (Role.RECEPTIONIST, Role.SCHEDULER, Role.MANAGER,
                                          Role.ADMIN)
    assert roles_for(Permission.SCHEDULE) == (Role.SCHEDULER, Role.MANAGER, Role.ADMIN)
    assert roles_for(Permission.REPORTS) == (Role.MANAGER, Role.ADMIN)
    assert roles_for(Permission.STAFF) == (Role.ADMIN,)


@pytest.mark.parametrize("role", ["", "owner", "ADMIN "])
def test_an_unknown_role_holds_nothing(role: str) -> None:
    assert not any(allowed(role, p) for p in Permission)


def test_refusals_say_what_the_action_needs() -> None:
    assert refusal(Permission.REPORTS) == "seeing the daily report needs a manager or admin"
    assert refusal(Permission.STAFF) == "managing staff accounts needs an admin"
    assert refusal(Permission.SCHEDULE) == ("changing working hours and closures needs a "
                                            "scheduler, manager or admin")
    assert refusal(Permission.OVERRIDE, ("manager",)) == (
        "overriding a payer rule needs a manager")
