"""Benchmarks with printed figures (not timed tests). Importing `gridguard` first defers aiogram's type builds,
as in the bot."""

import gridguard  # noqa: F401
