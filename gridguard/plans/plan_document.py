"""A contingency plan as a station keeps it beside its paper plan: a YAML document with, for each level Ⅳ–Ⅰ, its
starting condition (启动条件), the volunteers called out, the tasks per role with their due times, and how often
the station reports upward. Read with every mistake placed on its line; written back in the same shape."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gridguard.directory.enums import Role
from gridguard.directory.permissions import TASK_ROLES
from gridguard.kernel.errors import DomainError
from gridguard.plans.enums import PlanHazard, ResponseLevel

FILE_LIMIT = 64 * 1024
"""The largest plan file read (a plan of four levels of forty tasks is under 16 KB)."""
TASKS_PER_LEVEL = 40
TITLE_LIMIT = 60
TEXT_LIMIT = 200
NEEDED_LIMIT = 10_000
TEMPLATES = Path(__file__).parent / "templates"

Title = Annotated[str, Field(min_length=1, max_length=TITLE_LIMIT)]
Text = Annotated[str, Field(min_length=1, max_length=TEXT_LIMIT)]


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TaskSpec(Closed):
    """A task the level hands to every member holding `role` in the township: 转移低洼地群众 — 村安全员 — 2 h."""

    title: Title
    role: Role
    due_hours: float = Field(gt=0, le=720)

    @field_validator("role")
    @classmethod
    def _assignable(cls, role: Role) -> Role:
        if role not in TASK_ROLES:
            raise ValueError("role")
        return role

    @property
    def key(self) -> str:
        """What makes it the same task at another level (not sent twice when the level changes)."""
        return f"{self.role.value}:{self.title}"


class CalloutSpec(Closed):
    needed: int = Field(ge=1, le=NEEDED_LIMIT)
    message: Text


class LevelSpec(Closed):
    condition: Text
    """启动条件: when the station starts this level."""
    callout: CalloutSpec | None = None
    tasks: list[TaskSpec] = Field(default_factory=list, max_length=TASKS_PER_LEVEL)
    report_every_hours: int | None = Field(default=None, ge=1, le=72)
    """情况/措施/需求 reported upward this often while the level stands."""
    duty: list[Role] = Field(default_factory=list)
    """Who stands 24-hour duty while the level stands (every station member and village officer at Ⅱ): an overlay
    /duty shows over the roster; each is told when it starts and when it is lifted."""

    @field_validator("duty")
    @classmethod
    def _on_duty(cls, roles: list[Role]) -> list[Role]:
        if any(role not in TASK_ROLES for role in roles) or len(set(roles)) != len(roles):
            raise ValueError("duty")
        return roles

    @field_validator("tasks")
    @classmethod
    def _distinct(cls, tasks: list[TaskSpec]) -> list[TaskSpec]:
        keys = [task.key for task in tasks]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate")
        return tasks


class PlanDocument(Closed):
    hazard: PlanHazard
    name: Title
    levels: dict[ResponseLevel, LevelSpec] = Field(min_length=1)

    def level(self, level: ResponseLevel) -> LevelSpec:
        found = self.levels.get(level)
        if found is None:
            raise DomainError("plan.level_missing")
        return found

    def ordered_levels(self) -> list[ResponseLevel]:
        return [level for level in ResponseLevel if level in self.levels]


@dataclass(frozen=True)
class Mistake:
    line: int
    where: str
    problem: str
    """A catalog key: plan.file_missing, plan.file_unknown, plan.file_invalid."""


class PlanFileRefused(DomainError):
    """A plan file that cannot be read: what is wrong, each on its line; nothing was saved."""

    def __init__(self, mistakes: list[Mistake]) -> None:
        super().__init__("plan.file_refused", count=len(mistakes))
        self.mistakes = mistakes


KEY_MARK = "[key]"
"""Where pydantic's error location names a mapping's key rather than its value."""
PROBLEM_OF_ERROR = {"missing": "plan.file_missing", "extra_forbidden": "plan.file_unknown"}


def read_plan(data: bytes) -> PlanDocument:
    """The plan in a YAML file, or refused with every mistake on its line (a file too big is not parsed)."""
    if len(data) > FILE_LIMIT:
        raise DomainError("plan.file_too_big", limit=FILE_LIMIT // 1024)
    try:
        text = data.decode("utf-8-sig")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        loaded = yaml.safe_load(text)
    except UnicodeDecodeError as error:
        raise DomainError("plan.file_not_utf8") from error
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        raise PlanFileRefused([Mistake(line, "", "plan.file_not_yaml")]) from error
    try:
        return PlanDocument.model_validate(loaded)
    except ValidationError as invalid:
        raise PlanFileRefused([_mistake(root, error) for error in invalid.errors()]) from invalid


def _mistake(root: yaml.Node | None, error: Any) -> Mistake:
    path = [str(part) for part in error["loc"]]
    keyed = path[-1:] == [KEY_MARK]
    where = path[:-1] if keyed else path
    problem = PROBLEM_OF_ERROR.get(error["type"], "plan.file_invalid")
    return Mistake(_line_of(root, where, keyed), ".".join(where), problem)


def _line_of(node: yaml.Node | None, path: list[str], keyed: bool) -> int:
    """The line of the deepest node along `path` that the file has (1 for an empty file); of the last part's key
    when the key itself is wrong (an unknown level)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for number, part in enumerate(path, start=1):
        child = _child(node, part, keyed and number == len(path))
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _child(node: yaml.Node | None, part: str, key: bool) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        found: yaml.Node | None = next((k if key else v for k, v in node.value if str(k.value) == part), None)
        return found
    if isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
        child: yaml.Node = node.value[int(part)]
        return child
    return None


def write_plan(plan: PlanDocument) -> bytes:
    """The plan as the YAML file `read_plan` reads back unchanged (levels Ⅳ first, Chinese kept as written)."""
    document = plan.model_dump(mode="json", exclude_none=True)
    for level in document["levels"].values():
        if not level["duty"]:
            del level["duty"]
    document["levels"] = {level.value: document["levels"][level.value] for level in plan.ordered_levels()}
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120).encode("utf-8")


@cache
def template(hazard: PlanHazard) -> PlanDocument | None:
    """The plan the project ships for `hazard` (shaped on Quanzhou's township plans), a station's starting point."""
    path = TEMPLATES / f"{hazard.value}.yaml"
    return read_plan(path.read_bytes()) if path.exists() else None


def templates() -> list[PlanDocument]:
    return [plan for hazard in PlanHazard if (plan := template(hazard)) is not None]


@dataclass(frozen=True)
class AddTask:
    level: ResponseLevel
    title: str
    role: Role
    due_hours: float


@dataclass(frozen=True)
class RemoveTask:
    level: ResponseLevel
    key: str
    """The task's key (role and title): a stale screen's button removes nothing else."""


@dataclass(frozen=True)
class SetCallout:
    level: ResponseLevel
    needed: int
    """0: the level calls nobody out."""


@dataclass(frozen=True)
class SetCadence:
    level: ResponseLevel
    hours: int
    """0: no report upward."""


@dataclass(frozen=True)
class SetCondition:
    level: ResponseLevel
    condition: str


PlanEdit = AddTask | RemoveTask | SetCallout | SetCadence | SetCondition


def edited(plan: PlanDocument, edit: PlanEdit, default_message: str) -> PlanDocument:
    """The plan with one change made with buttons, checked as a file is (a task twice, a title too long, a level
    of forty tasks: refused). A level the plan lacks is added by its first change."""
    level = plan.levels.get(edit.level) or LevelSpec(condition=default_message)
    try:
        changed = LevelSpec.model_validate(level.model_dump() | _changes(level, edit, default_message))
    except ValidationError as invalid:
        raise DomainError(EDIT_REFUSALS.get(invalid.errors()[0]["type"], "plan.edit_invalid")) from invalid
    return plan.model_copy(update={"levels": plan.levels | {edit.level: changed}})


def _changes(level: LevelSpec, edit: PlanEdit, default_message: str) -> dict[str, object]:
    if isinstance(edit, AddTask):
        task = TaskSpec(title=edit.title, role=edit.role, due_hours=edit.due_hours)
        return {"tasks": [*level.tasks, task]}
    if isinstance(edit, RemoveTask):
        return {"tasks": [t for t in level.tasks if t.key != edit.key]}
    if isinstance(edit, SetCallout):
        message = level.callout.message if level.callout else default_message
        return {"callout": CalloutSpec(needed=edit.needed, message=message) if edit.needed else None}
    if isinstance(edit, SetCadence):
        return {"report_every_hours": edit.hours or None}
    return {"condition": edit.condition}


EDIT_REFUSALS = {
    "string_too_long": "plan.edit_too_long",
    "string_too_short": "plan.edit_empty",
    "too_long": "plan.edit_too_many",
    "value_error": "plan.edit_twice",
}
"""What a change made with buttons is refused with, by pydantic's error type."""
