"""Telegram's HTML parse mode, strictly: what Telegram refuses, this refuses too."""

import re

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "tg-emoji", "code", "pre", "blockquote", "tg-time",
}  # fmt: skip
ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>")


class HtmlError(ValueError):
    """Mirrors 'Bad Request: can't parse entities: ...'."""


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _entity_char(token: str) -> str:
    if token in NAMED:
        return NAMED[token]
    number = int(token[2:], 16) if token.startswith("#x") else int(token[1:])
    return chr(number)


def parse_html(text: str) -> str:
    """The plain text Telegram would show, or HtmlError where Telegram would answer 400."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            match = TAG.match(text, i)
            if match is None:
                raise HtmlError(f"Unsupported start tag at byte offset {len(text[:i].encode())}")
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if name not in ALLOWED_TAGS:
                raise HtmlError(f'Unsupported start tag "{name}" at byte offset {len(text[:i].encode())}')
            if closing:
                if not stack or stack[-1] != name:
                    raise HtmlError(f'Unmatched end tag "{name}"')
                stack.pop()
            else:
                if name == "a" and "href" not in attrs:
                    raise HtmlError("Can't find href attribute for a tag")
                stack.append(name)
            i = match.end()
        elif char == "&":
            match = ENTITY.match(text, i)
            if match is None:
                raise HtmlError(f"Unsupported entity at byte offset {len(text[:i].encode())}")
            out.append(_entity_char(match.group(1)))
            i = match.end()
        elif char == ">":
            raise HtmlError("Unexpected > character")
        else:
            out.append(char)
            i += 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)
