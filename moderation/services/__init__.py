"""Moderation's domain operations: each takes the acting user first and runs in one transaction."""
