"""Install frontdesk, and what it imports, into another venv's site-packages by copying.

    copy-install.py SOURCE_SITE_PACKAGES TARGET_SITE_PACKAGES REPO

For test-sshd.sh: the test user cannot read this checkout when it sits in a folder only root
may enter, and the checkout's venv has frontdesk in editable mode (a pointer back into the
checkout). The target gets copies: the packages the app imports (not the test and lint tools),
and frontdesk itself from REPO with styles.tcss inside it, as a built wheel would place it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

#: Not needed to run the app: the test and lint tools (playwright alone is 170 MB), and the
#: editable frontdesk, which is copied from the checkout instead.
SKIP = ("playwright", "mypy", "mypyc", "ruff", "_pytest", "pytest", "frontdesk",
        "_editable_impl_frontdesk")


def copy_install(site: Path, target: Path, repo: Path) -> None:
    for source in site.iterdir():
        if source.name.startswith(SKIP) or "__mypyc" in source.name:
            continue
        if source.is_dir():
            shutil.copytree(source, target / source.name, symlinks=True, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / source.name)
    package = target / "frontdesk"
    shutil.rmtree(package, ignore_errors=True)
    shutil.copytree(repo / "frontdesk", package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(repo / "styles.tcss", package / "styles.tcss")


if __name__ == "__main__":
    copy_install(*(Path(arg) for arg in sys.argv[1:4]))
