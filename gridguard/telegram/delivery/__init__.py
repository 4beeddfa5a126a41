"""Delivery: /outbox, the queue's health and who cannot be reached."""
