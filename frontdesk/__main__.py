"""``python -m frontdesk``: the same command as ``frontdesk``."""

from frontdesk.cli import main

if __name__ == "__main__":
    main()
