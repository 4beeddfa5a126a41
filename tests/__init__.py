"""The test suite. Importing `gridguard` first defers aiogram's type builds, as in the bot."""

import gridguard  # noqa: F401
