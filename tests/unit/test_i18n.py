"""The message catalogs: Chinese and English complete, with the same parameters, and valid Telegram HTML."""

import re
from pathlib import Path

import pytest

from i18n import LANGUAGES, Localizer, Raw, catalog, placeholders
from tests.fakes.telegram_html import parse_html

PROJECT = Path(__file__).resolve().parents[2]
KEY_USE = re.compile(r"""(?:i18n|chosen|Localizer\([^)]*\))\(\s*f?["']([a-z_]+\.[a-z_.{}]+)["']""")


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


def test_every_key_the_code_uses_exists() -> None:
    used = set()
    for folder in ("gridguard", "bot"):
        for path in (PROJECT / folder).rglob("*.py"):
            used |= set(KEY_USE.findall(path.read_text(encoding="utf-8")))
            used |= set(re.findall(r'DomainError\(\s*"([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    static = {k for k in used if "{" not in k}
    assert static, "the pattern found no keys"
    assert static - set(catalog("zh")) == set()


def test_parameters_are_escaped_unless_marked_raw() -> None:
    t = Localizer("zh")
    assert t("start.welcome_back", name="<b>&").startswith("&lt;b&gt;&amp;")
    assert t("start.welcome_back", name=Raw("<b>x</b>")).startswith("<b>x</b>")


def test_an_unknown_language_falls_back_to_chinese() -> None:
    assert Localizer("fr").language == "zh"


def test_keys_built_from_enums_and_menus_exist() -> None:
    from gridguard.directory.enums import Role
    from gridguard.telegram.menu import menu_commands

    wanted = {f"role.{r.value}" for r in Role} | {f"duty.{r.value}" for r in Role}
    wanted |= {f"language.{code}" for code in LANGUAGES} | {f"command.{name}" for name in menu_commands()}
    assert wanted - set(catalog("zh")) == set()
