"""Volunteer call-outs: /alert, /alerts, /available and the answers."""

from gridguard.telegram.callouts import callouts
from gridguard.telegram.callouts.callbacks import PACKERS
from gridguard.telegram.callouts.states import CalloutFlow, CalloutNoteFlow
from gridguard.telegram.registry import Edge

EDGE = Edge(
    routers=(callouts.router,),
    commands=("alert", "alerts", "available"),
    group_commands=(),
    members_only_commands=("alert", "alerts", "available"),
    flows=(CalloutFlow, CalloutNoteFlow),
    packers=PACKERS,
    menu_rank=50,
)
