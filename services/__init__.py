"""The domain: plain async functions over a database session and a clock. No aiogram here."""
