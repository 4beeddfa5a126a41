"""GridGuard's application: the shared core (kernel, db, directory, delivery), one package per capability
(reports, duty, reminders, callouts), and the Telegram edge (telegram/).

Importing it makes aiogram's types build on first use rather than all at aiogram's import (`aiogram_schemas`)."""

from gridguard.aiogram_schemas import defer_aiogram_schemas

defer_aiogram_schemas()
