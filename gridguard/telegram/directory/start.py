"""/start: invite deep links and registration (name, then optionally the phone by contact)."""

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from gridguard.directory.desk import DirectoryDesk
from gridguard.directory.enums import ROLE_NAMES
from gridguard.directory.invites import InviteProblem, Redemption
from gridguard.directory.members import MemberProfile, clean_name
from gridguard.directory.places import place_label
from gridguard.telegram.directory.states import Registration, RegistrationData
from gridguard.telegram.filters import IN_PRIVATE, NOT_A_COMMAND
from gridguard.telegram.keyboards import REMOVE_KEYBOARD, main_menu, phone_keyboard
from gridguard.telegram.texts import abilities
from gridguard.telegram.wizard import editing, read, write
from i18n import Localizer, all_translations


def router() -> Router:
    r = Router(name="start")
    r.message.filter(IN_PRIVATE)
    r.message.register(start_with_token, CommandStart(deep_link=True))
    r.message.register(start_plain, CommandStart())
    r.message.register(take_name, Registration.name, F.text, NOT_A_COMMAND)
    r.message.register(ask_name_again, Registration.name, NOT_A_COMMAND)
    r.message.register(take_contact, Registration.phone, F.contact)
    r.message.register(skip_phone, Registration.phone, F.text.in_(all_translations("register.skip_button")))
    r.message.register(ask_phone_again, Registration.phone, NOT_A_COMMAND)
    return r


async def start_plain(message: Message, member: MemberProfile | None, i18n: Localizer, state: FSMContext) -> None:
    await state.clear()
    if member is None or not member.registered:
        await message.answer(i18n("start.no_invite"), reply_markup=REMOVE_KEYBOARD)
        return
    await message.answer(i18n("start.welcome_back", name=member.name), reply_markup=main_menu(i18n, member))


async def start_with_token(
    message: Message,
    command: CommandObject,
    member: MemberProfile | None,
    i18n: Localizer,
    state: FSMContext,
    directory_desk: DirectoryDesk,
) -> None:
    await state.clear()
    token = command.args or ""
    assert message.from_user is not None
    try:
        if member is not None and member.registered:
            redemption = await directory_desk.redeem(token, message.from_user.id)
            await message.answer(role_gained_text(i18n, redemption), reply_markup=REMOVE_KEYBOARD)
            return
        offer = await directory_desk.offer(token)
    except InviteProblem as problem:
        await message.answer(i18n(problem.key, **problem.params), reply_markup=REMOVE_KEYBOARD)
        return
    await state.set_state(Registration.name)
    await write(state, RegistrationData(token=token))
    await message.answer(
        i18n(
            "register.offer",
            role=i18n(ROLE_NAMES(offer.role)),
            place=place_label(offer.unit_path_names),
        ),
        reply_markup=REMOVE_KEYBOARD,
    )


def role_gained_text(i18n: Localizer, redemption: Redemption) -> str:
    key = "register.already_has_role" if redemption.already_had_role else "register.role_gained"
    return i18n(
        key,
        role=i18n(ROLE_NAMES(redemption.offer.role)),
        place=place_label(redemption.offer.unit_path_names),
    )


async def take_name(message: Message, i18n: Localizer, state: FSMContext) -> None:
    name = clean_name(message.text or "")
    if name is None:
        await message.answer(i18n("register.bad_name"))
        return
    async with editing(state, RegistrationData) as data:
        data.name = name
    await state.set_state(Registration.phone)
    await message.answer(i18n("register.ask_phone", name=name), reply_markup=phone_keyboard(i18n))


async def ask_name_again(message: Message, i18n: Localizer) -> None:
    await message.answer(i18n("register.name_as_text"))


async def take_contact(
    message: Message,
    i18n: Localizer,
    state: FSMContext,
    directory_desk: DirectoryDesk,
) -> None:
    assert message.contact is not None and message.from_user is not None
    if message.contact.user_id != message.from_user.id:
        await message.answer(i18n("register.contact_not_own"), reply_markup=phone_keyboard(i18n))
        return
    await finish_registration(message, i18n, state, directory_desk, phone=message.contact.phone_number)


async def skip_phone(
    message: Message,
    i18n: Localizer,
    state: FSMContext,
    directory_desk: DirectoryDesk,
) -> None:
    await finish_registration(message, i18n, state, directory_desk, phone=None)


async def ask_phone_again(message: Message, i18n: Localizer) -> None:
    await message.answer(i18n("register.phone_or_skip"), reply_markup=phone_keyboard(i18n))


async def finish_registration(
    message: Message,
    i18n: Localizer,
    state: FSMContext,
    directory_desk: DirectoryDesk,
    phone: str | None,
) -> None:
    """Register the member with the invite's role in one transaction, then say who they are now."""
    data = await read(state, RegistrationData)
    assert message.from_user is not None
    try:
        registered = await directory_desk.register(data.token, message.from_user.id, data.name, phone, i18n.language)
    except InviteProblem as problem:
        await state.clear()
        await message.answer(i18n(problem.key, **problem.params), reply_markup=REMOVE_KEYBOARD)
        return
    await state.clear()
    redemption, profile = registered.redemption, registered.profile
    if not redemption.new_member:
        await message.answer(role_gained_text(i18n, redemption), reply_markup=REMOVE_KEYBOARD)
        return
    await message.answer(
        i18n(
            "register.done",
            name=profile.name,
            role=i18n(ROLE_NAMES(redemption.offer.role)),
            place=place_label(redemption.offer.unit_path_names),
            abilities=abilities(i18n, profile),
        ),
        reply_markup=main_menu(i18n, profile),
    )
