"""Notifications: the outbox written in the same transaction as the change that causes it."""
