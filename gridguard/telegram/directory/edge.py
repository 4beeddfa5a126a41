"""The directory: registering with an invite, /invite and /addgrid."""

from gridguard.telegram.directory import admin, start
from gridguard.telegram.directory.states import GridFlow, InviteFlow
from gridguard.telegram.registry import Edge

EDGE = Edge(
    routers=(start.router, admin.router),
    commands=("invite", "addgrid", "start"),
    group_commands=(),
    members_only_commands=("invite", "addgrid"),
    flows=(InviteFlow, GridFlow),
    packers={},
    menu_rank=70,
)
