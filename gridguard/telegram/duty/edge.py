"""The duty roster: /duty, /swap, /roster, handover notes."""

from gridguard.telegram.duty import duty, roster
from gridguard.telegram.duty.callbacks import PACKERS
from gridguard.telegram.duty.states import HandoverFlow, RosterFlow
from gridguard.telegram.registry import Edge

EDGE = Edge(
    routers=(duty.router, roster.router),
    commands=("duty", "swap", "roster"),
    group_commands=("duty",),
    members_only_commands=("duty", "swap", "roster"),
    flows=(RosterFlow, HandoverFlow),
    packers=PACKERS,
    menu_rank=20,
)
