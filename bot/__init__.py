"""The process: CLI, settings, composition root. Importing `gridguard` first defers aiogram's type builds."""

import gridguard  # noqa: F401
