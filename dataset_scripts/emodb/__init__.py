"""Emo-DB, the Berlin Database of Emotional Speech (German)."""

from .emodb import EmoDB

__all__ = ["EmoDB"]
