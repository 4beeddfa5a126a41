"""The process: CLI, settings, composition root."""
