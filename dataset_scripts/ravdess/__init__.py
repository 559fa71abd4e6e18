"""RAVDESS, the Ryerson Audio-Visual Database of Emotional Speech and Song (English), speech files."""

from .ravdess import Ravdess

__all__ = ["Ravdess"]
