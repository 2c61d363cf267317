"""``python -m matching solve|score|simulate|generate`` (no Django settings needed)."""

import sys

from matching.engine.cli import main

if __name__ == "__main__":
    sys.exit(main())
