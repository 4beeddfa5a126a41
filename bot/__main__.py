"""`python -m bot [command]`: run the bot (default), migrate, import-units, add-grid, invite, sandbox."""

import sys

from bot.cli import main

sys.exit(main(sys.argv[1:]))
