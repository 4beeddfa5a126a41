"""Filters shared by routers."""

from aiogram import F

NOT_A_COMMAND = ~F.text.startswith("/")
"""For a conversation step's catch-all, so that /cancel, /help and the others always get through."""
