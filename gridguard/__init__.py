"""GridGuard's application: the shared core (kernel, db, directory, delivery), one package per capability
(reports, duty, reminders, callouts), and the Telegram edge (telegram/)."""
