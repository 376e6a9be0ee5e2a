"""Moderation's domain operations; each takes the acting user first."""
