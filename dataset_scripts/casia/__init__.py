"""CASIA Chinese emotional speech corpus, public 1200-utterance release (Mandarin)."""

from .casia import Casia

__all__ = ["Casia"]
