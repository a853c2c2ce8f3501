"""`python -m gan_core train ...`: see gan_core/cli.py."""

import sys

from gan_core.cli import main

if __name__ == "__main__":
    sys.exit(main())
