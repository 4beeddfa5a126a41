"""The one place that answers "may this member do X on unit Y". Handlers ask; they never decide."""

from enum import StrEnum

from gridguard.directory.enums import Role, UnitLevel
from gridguard.directory.members import MemberProfile, RoleOnUnit

ROLE_RANK: dict[Role, int] = {
    Role.GRID_WORKER: 1,
    Role.VOLUNTEER: 1,
    Role.RESCUE_TEAM: 1,
    Role.VILLAGE_OFFICER: 2,
    Role.STATION_DUTY: 3,
    Role.STATION_HEAD: 4,
    Role.COUNTY_OFFICER: 5,
    Role.ADMIN: 6,
}

ROLE_LEVELS: dict[Role, frozenset[UnitLevel]] = {
    Role.GRID_WORKER: frozenset({UnitLevel.GRID, UnitLevel.VILLAGE}),
    Role.VOLUNTEER: frozenset({UnitLevel.VILLAGE, UnitLevel.TOWNSHIP}),
    Role.RESCUE_TEAM: frozenset({UnitLevel.TOWNSHIP}),
    Role.VILLAGE_OFFICER: frozenset({UnitLevel.VILLAGE}),
    Role.STATION_DUTY: frozenset({UnitLevel.TOWNSHIP}),
    Role.STATION_HEAD: frozenset({UnitLevel.TOWNSHIP}),
    Role.COUNTY_OFFICER: frozenset({UnitLevel.COUNTY}),
    Role.ADMIN: frozenset(UnitLevel),
}


LEVELS_UNDER: dict[UnitLevel, frozenset[UnitLevel]] = {
    level: frozenset(list(UnitLevel)[i:]) for i, level in enumerate(UnitLevel)
}
"""A unit's level and the levels below it (the enum lists them top first)."""


class ReportActor(StrEnum):
    """Whose press a report's transition is (the lifecycle's table names one for each verb)."""

    OFFICER = "officer"
    """Someone who may act on the report's units (Action.ACT_ON_REPORT)."""
    REPORTER = "reporter"
    SYSTEM = "system"
    """The sweeps: a resolved report the reporter never answered closes by itself."""


class SwapActor(StrEnum):
    """Whose press a shift swap's transition is."""

    COLLEAGUE = "colleague"
    """A member of the township's duty roster other than the one who offered (the named one, if one was)."""
    OFFERER = "offerer"
    KEEPER = "keeper"
    """The station head (ROSTER_KEEPER)."""


class Action(StrEnum):
    INVITE = "invite"
    ADD_GRID = "add_grid"
    VIEW_OUTBOX = "view_outbox"
    REPORT = "report"
    ACT_ON_REPORT = "act_on_report"
    LINK_GROUP = "link_group"
    SET_POLICY = "set_policy"
    EDIT_ROSTER = "edit_roster"
    VIEW_DUTY = "view_duty"
    STAND_DUTY = "stand_duty"
    KEEP_REMINDERS = "keep_reminders"
    CALL_OUT = "call_out"
    ANSWER_CALLOUTS = "answer_callouts"
    RUN_PLANS = "run_plans"
    KEEP_PLANS = "keep_plans"
    CONFIRM_RESPONSE = "confirm_response"


ACTION_ROLES: dict[Action, frozenset[Role]] = {
    Action.INVITE: frozenset({Role.STATION_HEAD, Role.VILLAGE_OFFICER}),
    Action.ADD_GRID: frozenset({Role.VILLAGE_OFFICER, Role.STATION_HEAD}),
    Action.VIEW_OUTBOX: frozenset({Role.STATION_HEAD}),
    Action.REPORT: frozenset(
        {Role.GRID_WORKER, Role.VOLUNTEER, Role.RESCUE_TEAM, Role.VILLAGE_OFFICER, Role.STATION_DUTY, Role.STATION_HEAD}
    ),
    Action.ACT_ON_REPORT: frozenset({Role.VILLAGE_OFFICER, Role.STATION_DUTY, Role.STATION_HEAD, Role.COUNTY_OFFICER}),
    Action.LINK_GROUP: frozenset({Role.STATION_HEAD}),
    Action.SET_POLICY: frozenset({Role.STATION_HEAD}),
    Action.EDIT_ROSTER: frozenset({Role.STATION_HEAD}),
    Action.VIEW_DUTY: frozenset(Role) - {Role.ADMIN},
    Action.STAND_DUTY: frozenset({Role.STATION_DUTY, Role.STATION_HEAD}),
    Action.KEEP_REMINDERS: frozenset({Role.STATION_HEAD}),
    Action.CALL_OUT: frozenset({Role.STATION_HEAD, Role.STATION_DUTY}),
    Action.ANSWER_CALLOUTS: frozenset({Role.VOLUNTEER, Role.RESCUE_TEAM}),
    Action.RUN_PLANS: frozenset({Role.STATION_HEAD, Role.STATION_DUTY}),
    Action.KEEP_PLANS: frozenset({Role.STATION_HEAD, Role.COUNTY_OFFICER}),
    Action.CONFIRM_RESPONSE: frozenset({Role.STATION_HEAD, Role.COUNTY_OFFICER}),
}

MEETING_AUDIENCE = (Role.STATION_HEAD, Role.STATION_DUTY, Role.VILLAGE_OFFICER)
"""Who a meeting or inspection reminds: the station's staff and the village safety officers."""
DRILL_AUDIENCE = (*MEETING_AUDIENCE, Role.VOLUNTEER, Role.RESCUE_TEAM)
"""A drill also calls the volunteers and the rescue team."""
VILLAGE_DELEGATE = Role.VILLAGE_OFFICER
"""Who stands for a village at the township's meetings, inspections and drills (their attendance is the village's
line in /compliance)."""
ORGANISER = Role.STATION_HEAD
"""Who sees the RSVP roll and records what happened."""

DUTY_ROLES = ACTION_ROLES[Action.STAND_DUTY]
"""Who may be on a township's duty roster (and take a colleague's shift): its station's members."""
ROSTER_KEEPER = Role.STATION_HEAD
"""Who hears of swaps and gaps on the roster, and may undo a swap."""


RESPONDER_ROLES = ACTION_ROLES[Action.ANSWER_CALLOUTS]
"""Who a call-out asks: the volunteers of the villages called (and of the township), and the township's rescue team."""
CALLER_ROLES = ACTION_ROLES[Action.CALL_OUT]
"""Who may call out volunteers in their township (a critical report's card offers it to them)."""
ALWAYS_CALLS_OUT = Role.STATION_HEAD
"""Who may call out at any time; the station's duty members may while they are on duty (any time, without a
roster)."""


ASSIGNEE_ROLES = frozenset({Role.VILLAGE_OFFICER, Role.STATION_DUTY, Role.STATION_HEAD})
"""Who a report may be assigned to (among the members of its township): its own officers, not the county."""

STEP_ROLES = {0: Role.VILLAGE_OFFICER, 1: Role.STATION_DUTY, 2: Role.STATION_HEAD, 3: Role.COUNTY_OFFICER}
"""Who an escalation step reaches: the village's safety officers, the station on duty, its heads, the county."""

TOLD_OF_UNDELIVERABLE = Role.STATION_HEAD
"""Who hears that a member of their township can't be reached (blocked the bot, never started it)."""

TASK_ROLES = frozenset({Role.VILLAGE_OFFICER, Role.STATION_DUTY, Role.STATION_HEAD, Role.RESCUE_TEAM})
"""Whom a plan's level may hand a task: every member of the township holding the role (a village officer of each
of its villages)."""
RESPONSE_OVERSEERS = (Role.STATION_HEAD,)
"""Who hears of a response's overdue tasks, a proposal waiting for confirmation, and when a report upward is due."""
COUNTY_CONFIRMERS = (Role.COUNTY_OFFICER,)
"""Who is asked to confirm a township's Ⅱ/Ⅰ response when it has no head."""


def units_for(member: MemberProfile, action: Action) -> list[int]:
    """The units on which the member may do `action` (each covers every unit below it), in the order held."""
    return [r.unit_id for r in member.roles if r.role in ACTION_ROLES[action]]


def role_fits_unit(role: Role, level: UnitLevel, village_has_grids: bool = False) -> bool:
    """Where a role may sit: a grid worker sits on a village only while it has no grids."""
    if role == Role.GRID_WORKER and level == UnitLevel.VILLAGE and village_has_grids:
        return False
    return level in ROLE_LEVELS[role]


def may(
    member: MemberProfile,
    action: Action,
    target_path_ids: tuple[int, ...],
    granted_role: Role | None = None,
) -> bool:
    """May `member` do `action` on the unit whose path (ids, top first) is given?

    For INVITE, `granted_role` is the role the invite would grant: a station head or a village officer invites
    only to roles below their own, within their own unit.
    """
    if member.is_admin:
        return True
    if action == Action.INVITE:
        return granted_role is not None and any(r.covers(target_path_ids) for r in _inviting(member, granted_role))
    allowed = ACTION_ROLES[action]
    return any(r.role in allowed and r.covers(target_path_ids) for r in member.roles)


def _inviting(member: MemberProfile, granted_role: Role) -> list[RoleOnUnit]:
    """The member's roles that may invite someone to `granted_role` (one of lower rank)."""
    return [
        r
        for r in member.roles
        if r.role in ACTION_ROLES[Action.INVITE]
        and ROLE_RANK[granted_role] < ROLE_RANK[r.role]
        and ROLE_LEVELS[granted_role] & LEVELS_UNDER[r.unit_level]
    ]


def invite_roots(member: MemberProfile, granted_role: Role) -> list[int]:
    """The units under which the member may invite someone to `granted_role`."""
    return [r.unit_id for r in _inviting(member, granted_role)]


def may_file_reports(member: MemberProfile) -> bool:
    """Whether the member files hazard reports somewhere: a reporting role on a unit (an admin by setting
    alone has no unit to report from)."""
    return any(r.role in ACTION_ROLES[Action.REPORT] for r in member.roles)


def may_act_on_report(
    member: MemberProfile, by: ReportActor, report_path_ids: tuple[int, ...], reporter_id: int
) -> bool:
    """A transition the lifecycle gives the reporter (confirm, reopen) is theirs alone; one it gives officers
    is for members who act on the report's units; the system's are nobody's to press."""
    if by == ReportActor.REPORTER:
        return member.id == reporter_id
    return by == ReportActor.OFFICER and may(member, Action.ACT_ON_REPORT, report_path_ids)


def may_add_information(member: MemberProfile, filing_path_ids: tuple[int, ...], report_township_id: int) -> bool:
    """A reporter may add their information to an open report of the township they are reporting in
    (the duplicate hint offers only such a report)."""
    return may(member, Action.REPORT, filing_path_ids) and report_township_id in filing_path_ids


def may_at_all(member: MemberProfile, action: Action) -> bool:
    """Whether the member could do `action` anywhere (to show or hide a command)."""
    return member.is_admin or member.has_role(*ACTION_ROLES[action])


def roles_grantable_by(member: MemberProfile) -> list[Role]:
    if member.is_admin:
        return list(Role)
    return [role for role in Role if _inviting(member, role)]


def townships_of(member: MemberProfile, action: Action) -> list[int]:
    """The townships in which the member may do `action`: the township on each such role's path (a county role
    names none; an admin's setting alone gives none), in the order held, once each."""
    seen: list[int] = []
    for r in member.roles:
        if r.role in ACTION_ROLES[action] and r.unit_level != UnitLevel.COUNTY and len(r.path_ids) >= 2:
            township = r.path_ids[1]
            if township not in seen:
                seen.append(township)
    return seen


def counties_of(member: MemberProfile) -> list[int]:
    """The counties whose every township the member may look at (county officers)."""
    return [
        r.unit_id for r in member.roles if r.unit_level == UnitLevel.COUNTY and r.role in ACTION_ROLES[Action.VIEW_DUTY]
    ]


def may_move_swap(
    member: MemberProfile, by: SwapActor, offered_by_id: int, township_id: int, stands_duty_there: bool
) -> bool:
    """A swap's transition is its offerer's (withdraw), the township's head's (undo), or a colleague's (take):
    someone else who stands duty in the township."""
    if by == SwapActor.OFFERER:
        return member.id == offered_by_id
    if by == SwapActor.KEEPER:
        return township_id in townships_of(member, Action.EDIT_ROSTER)
    return stands_duty_there and member.id != offered_by_id


def may_call_out(member: MemberProfile, township_id: int, on_duty_ids: frozenset[int] | None) -> bool:
    """A station head of the township, or its member on duty now (`on_duty_ids`; None: it keeps no roster, and
    every duty member is on duty)."""
    if member.is_admin:
        return True
    if township_id not in townships_of(member, Action.CALL_OUT):
        return False
    heads = [r for r in member.roles if r.role == ALWAYS_CALLS_OUT and township_id in r.path_ids]
    return bool(heads) or on_duty_ids is None or member.id in on_duty_ids


def may_run_callout(member: MemberProfile, sender_id: int, township_id: int) -> bool:
    """Whose the sender's buttons are (message those coming, stand down): the sender's, or a head of the township."""
    heads = [r for r in member.roles if r.role == ALWAYS_CALLS_OUT and township_id in r.path_ids]
    return member.id == sender_id or bool(heads) or member.is_admin


def may_confirm_response(member: MemberProfile, township_id: int, county_ids: tuple[int, ...]) -> bool:
    """A Ⅱ or Ⅰ response starts on a head's word: a station head of the township, or a county officer over it."""
    if member.is_admin:
        return True
    return any(
        r.role in ACTION_ROLES[Action.CONFIRM_RESPONSE] and (township_id in r.path_ids or r.unit_id in county_ids)
        for r in member.roles
    )


def may_run_plans(member: MemberProfile, township_id: int) -> bool:
    """Who starts, changes and ends a township's responses: its station's head and duty members."""
    return member.is_admin or township_id in townships_of(member, Action.RUN_PLANS)


def plan_counties_of(member: MemberProfile) -> list[int]:
    """The counties whose published plans the member keeps (a county officer publishes plans its townships adopt)."""
    return [
        r.unit_id
        for r in member.roles
        if r.role in ACTION_ROLES[Action.KEEP_PLANS] and r.unit_level == UnitLevel.COUNTY
    ]


def may_keep_plans(member: MemberProfile, unit_id: int) -> bool:
    """Who edits, imports and adopts plans: a township's station heads its own; a county's officers those the county
    publishes."""
    return member.is_admin or unit_id in townships_of(member, Action.KEEP_PLANS) or unit_id in plan_counties_of(member)
