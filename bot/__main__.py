"""`python -m bot ...` is the same as the `bot` console script."""

import sys

from bot.early_signals import main

sys.exit(main())
