"""ESD, the Emotional Speech Dataset (Mandarin and English speakers)."""

from .esd import Esd, EsdConfig

__all__ = ["Esd", "EsdConfig"]
