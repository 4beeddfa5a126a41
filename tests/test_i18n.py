"""The message catalogs: Chinese and English complete, with the same parameters, and valid Telegram HTML."""

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

from i18n import LANGUAGES, Keys, Localizer, Raw, catalog, placeholders
from tests.fakes.telegram_html import parse_html

PROJECT = Path(__file__).resolve().parents[1]
KEY_SHAPE = re.compile(r"[a-z_]+\.[a-z_0-9]+")
BUILT_KEY = re.compile(r"""f["'][a-z_.]*\.[a-z_.]*\{|i18n\(f["']""")


def test_every_key_exists_in_every_language() -> None:
    zh, en = set(catalog("zh")), set(catalog("en"))
    assert zh - en == set(), "missing in en"
    assert en - zh == set(), "missing in zh"


@pytest.mark.parametrize("key", sorted(catalog("zh")))
def test_both_languages_take_the_same_parameters(key: str) -> None:
    assert placeholders(catalog("zh")[key]) == placeholders(catalog("en")[key])


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_html_telegram_accepts(language: str) -> None:
    for key, text in catalog(language).items():
        filled = text.format(**dict.fromkeys(placeholders(text), "x"))
        parse_html(filled)
        assert filled.strip(), key


def code_files() -> list[Path]:
    return [path for folder in ("gridguard", "bot") for path in (PROJECT / folder).rglob("*.py")]


def key_like_literals(path: Path, sections: set[str]) -> set[str]:
    """Every string constant in `path` shaped like a catalog key (`section.name`) whose section the catalog has (a
    foreign key's `table.column` apart)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    columns = {id(k.value) for k in ast.walk(tree) if isinstance(k, ast.keyword) and k.arg == "foreign_key"}
    strings = (n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in columns)
    return {s for s in strings if isinstance(s, str) and KEY_SHAPE.fullmatch(s) and s.split(".", 1)[0] in sections}


def test_every_key_the_code_names_exists() -> None:
    """A literal key: as an argument (i18n("…"), DomainError("…")) or in a table of keys (a tuple, a dict)."""
    known = set(catalog("zh"))
    sections = {key.split(".", 1)[0] for key in known}
    used: dict[str, set[str]] = {}
    for path in code_files():
        used[str(path.relative_to(PROJECT))] = key_like_literals(path, sections)
    assert sum(map(len, used.values())) > 500, "the scan found too few keys"
    missing = {path: keys - known for path, keys in used.items() if keys - known}
    assert missing == {}


def test_no_key_is_built_with_an_f_string() -> None:
    """Keys made from values go through an i18n.Keys family, which the next test enumerates."""
    built = {
        f"{path.relative_to(PROJECT)}:{n}"
        for path in code_files()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BUILT_KEY.search(line)
    }
    assert built == set()


def test_every_key_of_every_family_exists_in_every_language() -> None:
    for package in ("gridguard", "bot"):
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    assert len(Keys.families) >= 25
    for family in Keys.families:
        for language in LANGUAGES:
            assert family.keys() - set(catalog(language)) == set(), (family.pattern, language)


def test_a_value_outside_its_family_is_refused() -> None:
    from gridguard.reports.enums import CATEGORY_NAMES, Category

    assert CATEGORY_NAMES(Category.FIRE) == "category.fire"
    with pytest.raises(KeyError):
        CATEGORY_NAMES("arson")


def test_parameters_are_escaped_unless_marked_raw() -> None:
    t = Localizer("zh")
    assert t("start.welcome_back", name="<b>&").startswith("&lt;b&gt;&amp;")
    assert t("start.welcome_back", name=Raw("<b>x</b>")).startswith("<b>x</b>")


def test_an_unknown_language_falls_back_to_chinese() -> None:
    assert Localizer("fr").language == "zh"
