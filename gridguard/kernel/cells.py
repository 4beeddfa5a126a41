"""Spreadsheet cells that stay data: a text beginning with = + - @, a tab or a carriage return would be read as a
formula by Excel or LibreOffice (CSV injection), so every export writes it behind an apostrophe."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str | int) -> str | int:
    """The value as it may be written into an exported cell."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unquoted(text: str) -> str:
    """A cell read back from a file we exported: the apostrophe `safe_cell` put in front taken off again."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
