"""Conversation states (FSM)."""
