"""What each capability's Telegram edge registers once, as `EDGE` in its package's `edge` module: its routers,
the commands it serves (in private chats, and in a station's group), which of them and which conversations are for
members only, and how its buttons' verbs are packed. The dispatcher, the command menus, the guards and the button
packing read the registered edges; nothing else keeps a list of them, so a new capability's edge is its folder."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache

from aiogram import Router
from aiogram.fsm.state import StatesGroup

from gridguard.delivery.outbox import Button
from gridguard.kernel.packages import submodules

Packer = Callable[[Button], str]


@dataclass(frozen=True)
class Edge:
    routers: tuple[Callable[[], Router], ...]
    commands: tuple[str, ...] = ()
    """Its commands, as the menu lists them (in private chats)."""
    group_commands: tuple[str, ...] = ()
    """Those also served in a station's group chat."""
    members_only_commands: tuple[str, ...] = ()
    """Those a stranger is answered for by the guards (their routers serve known senders only)."""
    flows: tuple[type[StatesGroup], ...] = ()
    """Its conversations; a member removed mid-conversation is told, whatever they send."""
    packers: Mapping[str, Packer] = field(default_factory=dict)
    """Each verb its services describe buttons with, and how it is packed as callback data."""
    menu_rank: int = 50
    """Where its commands stand in the menu (lower first)."""


@cache
def edges() -> tuple[Edge, ...]:
    """Every `gridguard.telegram.<capability>.edge` module's EDGE, by menu rank."""
    import gridguard.telegram as telegram

    found = [getattr(module, "EDGE", None) for module in submodules(telegram, "edge")]
    return tuple(sorted((edge for edge in found if isinstance(edge, Edge)), key=lambda e: e.menu_rank))


@cache
def packers() -> dict[str, Packer]:
    """Every registered verb's packer (verbs are wire codes: two capabilities never share one)."""
    table: dict[str, Packer] = {}
    for edge in edges():
        for verb, pack in edge.packers.items():
            if verb in table:
                raise ValueError(f"two capabilities register the button verb {verb!r}")
            table[verb] = pack
    return table


def packer_of(verb: str) -> Packer:
    return packers()[verb]
