"""Fakes for tests and the sandbox: a Bot API server that enforces Telegram's rules, simulated users."""
