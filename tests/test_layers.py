"""The layers stay one-way: Textual never loads below the UI; the domain loads no SQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    return {name.split(".")[0] for name in out.split()}


@pytest.mark.parametrize(
    "module",
    ["frontdesk.domain.availability", "frontdesk.services.scheduling",
     "frontdesk.services.directory", "frontdesk.db.queries"],
)
def test_core_does_not_load_textual(module: str) -> None:
    loaded = loaded_after_import(module)
    assert "textual" not in loaded
    assert "rich" not in loaded


def test_domain_loads_no_sql() -> None:
    loaded = loaded_after_import("frontdesk.domain.availability")
    assert not {"sqlalchemy", "sqlmodel", "alembic", "psycopg"} & loaded


def test_import_linter_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout
