"""/invite and /addgrid: station heads, village officers and admins grow the directory from the chat."""

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from gridguard.directory.desk import DirectoryDesk
from gridguard.directory.enums import ROLE_NAMES, Role
from gridguard.directory.invites import (
    parse_invite_arguments,
)
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import Action, may_at_all, roles_grantable_by
from gridguard.directory.places import place_label
from gridguard.directory.tables import Invite, Unit
from gridguard.kernel.errors import DomainError
from gridguard.kernel.numbers import ascii_digits
from gridguard.telegram.directory.callbacks import InviteRoleChoice, InviteUsesChoice, UnitChoice, UnitPage
from gridguard.telegram.directory.states import GridData, GridFlow, InviteData, InviteFlow, InviteToUnit
from gridguard.telegram.filters import IN_PRIVATE, NOT_A_COMMAND, Known
from gridguard.telegram.keyboards import roles_keyboard, units_keyboard, uses_keyboard
from gridguard.telegram.wizard import read, write
from i18n import Localizer

INVITE_DEFAULT_DAYS = 7
PURPOSE_INVITE = "inv"
PURPOSE_GRID = "grid"


def router() -> Router:
    r = Router(name="admin")
    r.message.filter(IN_PRIVATE, Known())
    r.callback_query.filter(Known())
    r.message.register(invite_command, Command("invite"))
    r.callback_query.register(invite_role_pressed, InviteFlow.role, InviteRoleChoice.filter())
    r.callback_query.register(invite_unit_pressed, InviteFlow.unit, UnitChoice.filter(F.purpose == PURPOSE_INVITE))
    r.message.register(invite_unit_typed, InviteFlow.unit, F.text, NOT_A_COMMAND)
    r.callback_query.register(invite_uses_pressed, InviteFlow.uses, InviteUsesChoice.filter())
    r.message.register(addgrid_command, Command("addgrid"))
    r.callback_query.register(grid_village_pressed, GridFlow.village, UnitChoice.filter(F.purpose == PURPOSE_GRID))
    r.message.register(grid_village_typed, GridFlow.village, F.text, NOT_A_COMMAND)
    r.message.register(grid_name_typed, GridFlow.name, F.text, NOT_A_COMMAND)
    r.callback_query.register(unit_page_pressed, UnitPage.filter())
    return r


async def invite_link(bot: Bot, invite: Invite) -> str:
    me = await bot.me()
    return f"https://t.me/{me.username}?start={invite.token}"


# --- /invite ----------------------------------------------------------------------------------


async def invite_command(
    message: Message,
    command: CommandObject,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    directory_desk: DirectoryDesk,
    bot: Bot,
) -> None:
    await state.clear()
    if not may_at_all(member, Action.INVITE):
        await message.answer(i18n("error.not_allowed"))
        return
    if command.args:
        await invite_from_arguments(message, command.args, member, i18n, directory_desk, bot)
        return
    await state.set_state(InviteFlow.role)
    await message.answer(i18n("invite.choose_role"), reply_markup=roles_keyboard(i18n, roles_grantable_by(member)))


async def invite_from_arguments(
    message: Message,
    args: str,
    member: MemberProfile,
    i18n: Localizer,
    directory_desk: DirectoryDesk,
    bot: Bot,
) -> None:
    """`/invite CODE ROLE [USES] [DAYS]`."""
    usage = DomainError("invite.usage", roles=", ".join(r.value for r in roles_grantable_by(member)))
    code, role, uses, days = parse_invite_arguments(args, INVITE_DEFAULT_DAYS, usage)
    created = await directory_desk.invite(member, role, uses, days, code=code)
    await message.answer(await invite_created_text(i18n, bot, created.invite, created.path_names, days))


async def invite_created_text(i18n: Localizer, bot: Bot, invite: Invite, path_names: list[str], days: int) -> str:
    return i18n(
        "invite.created",
        role=i18n(ROLE_NAMES(invite.role)),
        place=place_label(path_names),
        uses=invite.max_uses,
        days=days,
        link=await invite_link(bot, invite),
    )


async def invite_role_pressed(
    query: CallbackQuery,
    callback_data: InviteRoleChoice,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    directory_desk: DirectoryDesk,
) -> None:
    if callback_data.role not in {r.value for r in roles_grantable_by(member)}:
        await query.answer(i18n("error.not_allowed"), show_alert=True)
        return
    role = Role(callback_data.role)
    choices = await directory_desk.invitable(member, role)
    units, labels = choices.units, choices.labels
    await write(state, InviteData(role=role))
    await state.set_state(InviteFlow.unit)
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if units:
        prompt = i18n("invite.choose_unit", role=i18n(ROLE_NAMES(role)))
        await query.message.edit_text(prompt, reply_markup=units_keyboard(i18n, PURPOSE_INVITE, units, 0, labels))
    else:
        await query.message.edit_text(i18n("common.type_unit_code"))


async def invite_unit_pressed(
    query: CallbackQuery,
    callback_data: UnitChoice,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    directory_desk: DirectoryDesk,
) -> None:
    """The pressed unit is a hint: it must be one this member may invite the chosen role to."""
    data = await read(state, InviteData)
    unit = await directory_desk.invitable_unit(member, data.role, unit_id=callback_data.unit_id)
    await query.answer()
    await ask_uses(query.message, unit, i18n, state)


async def invite_unit_typed(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, directory_desk: DirectoryDesk
) -> None:
    data = await read(state, InviteData)
    unit = await directory_desk.invitable_unit(member, data.role, code=message.text or "")
    await ask_uses(message, unit, i18n, state)


async def ask_uses(message: object, unit: Unit, i18n: Localizer, state: FSMContext) -> None:
    data = await read(state, InviteData)
    await write(state, InviteToUnit(role=data.role, unit_id=unit.id or 0))
    await state.set_state(InviteFlow.uses)
    if isinstance(message, Message):
        await message.answer(i18n("invite.choose_uses", unit=unit.name), reply_markup=uses_keyboard(i18n))


async def invite_uses_pressed(
    query: CallbackQuery,
    callback_data: InviteUsesChoice,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    directory_desk: DirectoryDesk,
    bot: Bot,
) -> None:
    data = await read(state, InviteToUnit)
    await state.clear()
    created = await directory_desk.invite(
        member, data.role, callback_data.uses, INVITE_DEFAULT_DAYS, unit_id=data.unit_id
    )
    await query.answer()
    if isinstance(query.message, Message):
        text = await invite_created_text(i18n, bot, created.invite, created.path_names, INVITE_DEFAULT_DAYS)
        await query.message.edit_text(text)


# --- /addgrid ---------------------------------------------------------------------------------


async def addgrid_command(
    message: Message,
    command: CommandObject,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    directory_desk: DirectoryDesk,
) -> None:
    await state.clear()
    if not may_at_all(member, Action.ADD_GRID):
        await message.answer(i18n("error.not_allowed"))
        return
    villages = (await directory_desk.grid_villages(member)).units
    if command.args:
        await addgrid_from_arguments(message, command.args, villages, member, i18n, directory_desk)
        return
    if len(villages) == 1:
        await ask_grid_name(message, villages[0], i18n, state)
        return
    await state.set_state(GridFlow.village)
    markup = units_keyboard(i18n, PURPOSE_GRID, villages, 0) if villages else None
    await message.answer(i18n("grid.choose_village" if villages else "common.type_unit_code"), reply_markup=markup)


async def addgrid_from_arguments(
    message: Message,
    args: str,
    villages: list[Unit],
    member: MemberProfile,
    i18n: Localizer,
    directory_desk: DirectoryDesk,
) -> None:
    """`/addgrid VILLAGE_CODE NAME`, or `/addgrid NAME` for someone with a single village."""
    first, _, rest = args.strip().partition(" ")
    code, name = (first, rest) if looks_like_unit_code(first) else (None, args)
    if code is None and len(villages) != 1:
        await message.answer(i18n("grid.usage"))
        return
    await create_grid(message, member, i18n, directory_desk, name=name, village_code=code or villages[0].code)


def looks_like_unit_code(text: str) -> bool:
    return ascii_digits(text) and len(text) in (6, 9, 12)


async def ask_grid_name(message: Message, village: Unit, i18n: Localizer, state: FSMContext) -> None:
    await write(state, GridData(village_code=village.code))
    await state.set_state(GridFlow.name)
    await message.answer(i18n("grid.ask_name", village=village.name))


async def grid_village_pressed(
    query: CallbackQuery,
    callback_data: UnitChoice,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    directory_desk: DirectoryDesk,
) -> None:
    """The pressed village is a hint: it must be one where this member may add grids."""
    village = await directory_desk.grid_village(member, unit_id=callback_data.unit_id)
    await query.answer()
    if isinstance(query.message, Message):
        await ask_grid_name(query.message, village, i18n, state)


async def grid_village_typed(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, directory_desk: DirectoryDesk
) -> None:
    village = await directory_desk.grid_village(member, code=message.text or "")
    await ask_grid_name(message, village, i18n, state)


async def grid_name_typed(
    message: Message,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    directory_desk: DirectoryDesk,
) -> None:
    data = await read(state, GridData)
    await create_grid(message, member, i18n, directory_desk, name=message.text or "", village_code=data.village_code)
    await state.clear()


async def create_grid(
    message: Message,
    member: MemberProfile,
    i18n: Localizer,
    directory_desk: DirectoryDesk,
    name: str,
    village_code: str,
) -> None:
    """Add the grid and say so; a refusal (a bad name, say) is answered by the error path and the user may
    try again at the same step."""
    grid, village = await directory_desk.add_grid(member, village_code, name)
    await message.answer(i18n("grid.created", name=grid.name, code=grid.code, village=village.name))


# --- paging through units ---------------------------------------------------------------------


async def unit_page_pressed(
    query: CallbackQuery,
    callback_data: UnitPage,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    directory_desk: DirectoryDesk,
) -> None:
    current = await state.get_state()
    if current not in (InviteFlow.unit.state, GridFlow.village.state):
        await query.answer(i18n("fallback.stale_button"))
        return
    if callback_data.purpose == PURPOSE_INVITE and current == InviteFlow.unit.state:
        choices = await directory_desk.invitable(member, (await read(state, InviteData)).role)
    else:
        choices = await directory_desk.grid_villages(member)
    units, labels = choices.units, choices.labels
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(
            reply_markup=units_keyboard(i18n, callback_data.purpose, units, callback_data.page, labels)
        )
