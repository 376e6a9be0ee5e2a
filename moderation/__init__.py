"""Moderation: flags, review queue, moderator actions, spam screening, audit log.

Built on `forum` (its models, services and permissions); its features
arrive with the moderation issue.
"""
