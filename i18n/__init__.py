"""Message catalogs (zh, en) and the Localizer. Plain Python: usable from every layer."""

import html
import tomllib
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any, ClassVar

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("zh", "en")


class Raw(str):
    """A parameter that is already safe HTML and must not be escaped again."""

    __slots__ = ()


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalog(language: str) -> dict[str, str]:
    with (LOCALES_DIR / f"{language}.toml").open("rb") as handle:
        return _flatten(tomllib.load(handle))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def _escape(value: Any) -> Any:
    if isinstance(value, Raw):
        return value
    if isinstance(value, str):
        return html.escape(value, quote=False)
    return value


class Localizer:
    """Renders catalog texts in one language; string parameters are HTML-escaped."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else LANGUAGES[0]
        self._texts = catalog(self.language)

    def __call__(self, key: str, **params: Any) -> str:
        return self._texts[key].format(**{k: _escape(v) for k, v in params.items()})

    def has(self, key: str) -> bool:
        return key in self._texts


def all_translations(key: str) -> set[str]:
    """The text of `key` in every language (to recognise a reply-keyboard button press)."""
    return {catalog(language)[key] for language in LANGUAGES}


class Keys:
    """A family of catalog keys made from one closed set of values: `Keys("category.{}", Category)`.

    The only way code builds a key from a value; every family registers itself, and the catalog test checks that
    each value's key exists in every language. `values` may be a function for a set known only once the packages
    are loaded (the menu's commands)."""

    families: ClassVar[list["Keys"]] = []

    def __init__(self, pattern: str, values: Iterable[Any] | Callable[[], Iterable[Any]]) -> None:
        self.pattern = pattern
        self._values = frozenset(values) if isinstance(values, Iterable) else values
        Keys.families.append(self)

    def values(self) -> frozenset[Any]:
        return self._values if isinstance(self._values, frozenset) else frozenset(self._values())

    def __call__(self, value: Any) -> str:
        """The key of `value`; a value outside the family is a programming error."""
        if value not in self.values():
            raise KeyError(f"{value!r} is not one of {self.pattern}")
        return self.pattern.format(value)

    def keys(self) -> set[str]:
        return {self.pattern.format(value) for value in self.values()}


LANGUAGE_NAMES = Keys("language.{}", LANGUAGES)
