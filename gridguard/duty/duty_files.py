"""The roster as files: an iCalendar of a member's shifts, and CSV for heads who plan in a spreadsheet.

CSV columns: type (shift or cover), layer (primary or backup), member (a name, or #id when two share a name),
start and end (local "YYYY-MM-DD HH:MM"). The words may be written in Chinese or English. Export writes the
rotation's shifts and the covers of the coming weeks; import turns every row the rotation does not already give
into a cover, all or nothing: one bad line and nothing changes, and every bad line is named.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from icalendar import Calendar, Event

from gridguard.duty.enums import LAYER_NAMES, CoverReason, DutyLayer
from gridguard.duty.roster import CoverSpec, DutyMember, Roster
from gridguard.duty.rotation import Cover, Shift
from gridguard.kernel.cells import safe_cell, unquoted
from gridguard.kernel.errors import DomainError
from i18n import LANGUAGES, Keys, Localizer

EXPORT_DAYS = 28
MAX_BYTES = 200_000
MAX_ROWS = 2_000
MAX_ROW_SPAN = timedelta(days=31)
"""The longest period one line may cover (a month's leave)."""
MAX_AHEAD = timedelta(days=366)
"""How far ahead a file may plan: a year."""
MAX_ERRORS_SHOWN = 15
TIME_FORMAT = "%Y-%m-%d %H:%M"
SHIFT, COVER = "shift", "cover"
COLUMNS = ("type", "layer", "member", "start", "end")
COLUMN_NAMES = Keys("rostercsv.column_{}", COLUMNS)
WORD_NAMES = Keys("rostercsv.{}", (SHIFT, COVER, *DutyLayer))
"""The words in a roster file's type and layer columns."""


def calendar(roster: Roster, shifts: Sequence[tuple[DutyLayer, Shift]], i18n: Localizer, now: datetime) -> bytes:
    """One event per shift, in the deployment's zone (named, with its VTIMEZONE); a shift's UID stays the same
    from one export to the next, so importing again updates the events (stamped `now`) instead of adding them
    twice."""
    cal = Calendar()
    cal.add("prodid", "-//GridGuard//duty roster//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", i18n("onduty.calendar_name", township=roster.township_name))
    cal.add("x-wr-timezone", roster.zone.key)
    for layer, shift in shifts:
        event = Event()
        start = f"{shift.starts_at:%Y%m%dT%H%M}Z"
        event.add("uid", f"duty-{roster.township_id}-{layer}-{start}-{shift.member_id}@gridguard")
        event.add("dtstamp", now)
        event.add("dtstart", shift.starts_at.astimezone(roster.zone))
        event.add("dtend", shift.ends_at.astimezone(roster.zone))
        name = i18n(LAYER_NAMES(layer))
        event.add("summary", i18n("onduty.calendar_event", layer=name, township=roster.township_name))
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def _keywords() -> dict[str, str]:
    """A CSV keyword as written in any language (or in plain English) -> what it means."""
    meanings = (SHIFT, COVER, "primary", "backup")
    found = {word: word for word in meanings}
    for language in LANGUAGES:
        i18n = Localizer(language)
        found |= {i18n(WORD_NAMES(word)).casefold(): word for word in meanings}
    return found


WORDS = _keywords()


def export_csv(roster: Roster, now: datetime, i18n: Localizer) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([i18n(COLUMN_NAMES(c)) for c in COLUMNS])
    until = now + timedelta(days=EXPORT_DAYS)
    rows: list[tuple[datetime, list[str]]] = []
    for layer, plan_layer in roster.layers.items():
        if plan_layer.rotation is not None:
            for shift in plan_layer.rotation.shifts(now, until):
                rows.append((shift.starts_at, _row(i18n, SHIFT, layer, shift.member_id, shift, roster)))
        for cover in plan_layer.covers:
            if cover.ends_at > now:
                as_shift = Shift(cover.starts_at, cover.ends_at, cover.member_id)
                rows.append((cover.starts_at, _row(i18n, COVER, layer, cover.member_id, as_shift, roster)))
    for _, row in sorted(rows, key=lambda pair: pair[0]):
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _row(
    i18n: Localizer, kind: str, layer: DutyLayer, member_id: int | None, shift: Shift, roster: Roster
) -> list[str]:
    local = roster.zone
    return [
        i18n(WORD_NAMES(kind)),
        i18n(WORD_NAMES(layer)),
        _member_label(roster, member_id),
        shift.starts_at.astimezone(local).strftime(TIME_FORMAT),
        shift.ends_at.astimezone(local).strftime(TIME_FORMAT),
    ]


def _member_label(roster: Roster, member_id: int | None) -> str:
    member = roster.members.get(member_id) if member_id is not None else None
    if member is None:
        return ""
    twins = [m for m in roster.members.values() if m.name == member.name]
    return member.name if len(twins) == 1 else f"#{member.id}"


@dataclass(frozen=True)
class Row:
    line: int
    kind: str
    cover: CoverSpec


def _decode(data: bytes) -> str:
    """UTF-8 (with or without Excel's BOM), or GBK, which Excel in China saves by default."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gbk", errors="strict")


def parse_csv(data: bytes, roster: Roster, now: datetime, i18n: Localizer) -> list[CoverSpec]:
    """The covers a CSV adds to the roster; every bad line named in one refusal (then nothing is added)."""
    if len(data) > MAX_BYTES:
        raise DomainError("rostercsv.too_big", kb=MAX_BYTES // 1000)
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        raise DomainError("rostercsv.not_text") from None
    if len(text.splitlines()) > MAX_ROWS:
        raise DomainError("rostercsv.too_many_rows", n=MAX_ROWS)
    errors: list[str] = []
    rows: list[Row] = []
    for number, fields in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not any(f.strip() for f in fields) or (number == 1 and _is_header(fields)):
            continue
        try:
            rows.append(_parse_row(number, fields, roster, now, i18n))
        except ValueError as problem:
            errors.append(i18n("rostercsv.line", line=number, problem=str(problem)))
    errors += _overlaps(rows, roster, now, i18n)
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            shown.append(i18n("rostercsv.more", n=len(errors) - MAX_ERRORS_SHOWN))
        raise DomainError("rostercsv.refused", count=len(errors), lines="\n".join(shown))
    if not rows:
        raise DomainError("rostercsv.empty")
    return [row.cover for row in rows if not _already_so(row, roster)]


def _is_header(fields: Sequence[str]) -> bool:
    return fields[0].strip().casefold() in {Localizer(lang)("rostercsv.column_type").casefold() for lang in LANGUAGES}


def _parse_row(number: int, fields: Sequence[str], roster: Roster, now: datetime, i18n: Localizer) -> Row:
    if len(fields) != len(COLUMNS):
        raise ValueError(i18n("rostercsv.columns", n=len(COLUMNS)))
    kind = WORDS.get(fields[0].strip().casefold())
    if kind not in (SHIFT, COVER):
        raise ValueError(i18n("rostercsv.bad_type", value=fields[0]))
    layer_word = WORDS.get(fields[1].strip().casefold())
    if layer_word not in ("primary", "backup"):
        raise ValueError(i18n("rostercsv.bad_layer", value=fields[1]))
    member = _member(fields[2].strip(), roster, i18n)
    start, end = (_time(f, roster, now, i18n) for f in fields[3:5])
    if end <= start:
        raise ValueError(i18n("roster.zero_length"))
    if end <= now:
        raise ValueError(i18n("roster.already_past"))
    if end - start > MAX_ROW_SPAN:
        raise ValueError(i18n("rostercsv.too_long", days=MAX_ROW_SPAN.days))
    return Row(number, kind, CoverSpec(DutyLayer(layer_word), member.id, start, end, CoverReason.PLANNED))


def _member(label: str, roster: Roster, i18n: Localizer) -> DutyMember:
    label = unquoted(label)
    if label.startswith("#") and label[1:].isdigit() and int(label[1:]) in roster.members:
        return roster.members[int(label[1:])]
    named = [m for m in roster.members.values() if m.name == label.lstrip("@")]
    if len(named) == 1:
        return named[0]
    if named:
        raise ValueError(i18n("rostercsv.ambiguous", name=label))
    raise ValueError(i18n("rostercsv.unknown_member", name=label))


def _time(text: str, roster: Roster, now: datetime, i18n: Localizer) -> datetime:
    """A local time within a year of now (checked before any arithmetic: year 1 or 9999 would overflow)."""
    try:
        naive = datetime.strptime(text.strip(), TIME_FORMAT)
    except ValueError:
        raise ValueError(i18n("rostercsv.bad_time", value=text)) from None
    latest = (now + MAX_AHEAD).astimezone(roster.zone).replace(tzinfo=None)
    if not latest - 2 * MAX_AHEAD <= naive <= latest:
        raise ValueError(i18n("rostercsv.too_far", value=text.strip(), until=f"{latest:%Y-%m-%d}"))
    return naive.replace(tzinfo=roster.zone)


def _overlaps(rows: Sequence[Row], roster: Roster, now: datetime, i18n: Localizer) -> list[str]:
    """Rows of one layer whose periods overlap each other, or a cover already on the roster that they don't repeat."""
    errors = []
    for layer in DutyLayer:
        mine = sorted((r for r in rows if r.cover.layer == layer), key=lambda r: r.cover.starts_at)
        for earlier, later in pairwise(mine):
            if later.cover.starts_at < earlier.cover.ends_at:
                errors.append(
                    i18n("rostercsv.line", line=later.line, problem=i18n("rostercsv.overlaps_line", other=earlier.line))
                )
        held = [c for c in roster.layers[layer].covers if c.ends_at > now]
        for row in mine:
            if _repeats(row, held):
                continue
            if any(c.starts_at < row.cover.ends_at and row.cover.starts_at < c.ends_at for c in held):
                errors.append(i18n("rostercsv.line", line=row.line, problem=i18n("roster.cover_overlaps")))
    return errors


def _repeats(row: Row, held: Sequence[Cover]) -> bool:
    spec = row.cover
    return any((c.starts_at, c.ends_at, c.member_id) == (spec.starts_at, spec.ends_at, spec.member_id) for c in held)


def _already_so(row: Row, roster: Roster) -> bool:
    """A row the roster already gives: a cover it holds, or a shift its rotation already hands that member."""
    spec = row.cover
    layer = roster.layers[spec.layer]
    if _repeats(row, layer.covers):
        return True
    if row.kind != SHIFT or layer.rotation is None:
        return False
    pieces = layer.timeline(spec.starts_at, spec.ends_at)
    return all(p.member_id == spec.member_id and not p.covered for p in pieces)
