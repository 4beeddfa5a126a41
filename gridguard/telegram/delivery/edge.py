"""Delivery: /outbox, the queue's health and who cannot be reached."""

from gridguard.telegram.delivery import outbox
from gridguard.telegram.registry import Edge

EDGE = Edge(
    routers=(outbox.router,),
    commands=("outbox",),
    group_commands=(),
    members_only_commands=("outbox",),
    flows=(),
    packers={},
    menu_rank=60,
)
