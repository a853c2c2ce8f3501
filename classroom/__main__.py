"""`python -m classroom train ...`: see classroom/cli.py."""

import sys

from classroom.cli import main

if __name__ == "__main__":
    sys.exit(main())
