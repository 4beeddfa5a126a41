"""An online copy of a SQLite database (SQLite's backup API): consistent while the bot keeps writing, checked
before it is kept."""

import sqlite3
from pathlib import Path


class BackupError(Exception):
    """One line saying why there is no backup."""


def back_up_sqlite(source: Path, target: Path) -> int:
    """Copy `source` to `target` page by page through SQLite's backup API, check the copy's integrity, then move it
    into place; the number of tables copied. An existing `target` is refused (a backup never overwrites one)."""
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists; give a new file name (a backup never overwrites one)")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder; give a file in an existing folder")
    partial = target.with_name(f"{target.name}.partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(source) as original, sqlite3.connect(partial) as copy:
        original.backup(copy)
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        tables = copy.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {verdict}")
    partial.rename(target)
    return int(tables)
