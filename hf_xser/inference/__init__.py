"""Inference on recordings of any length: sliding windows normalised as in evaluation, aggregated per file."""

from .output import write_csv, write_json
from .predict import Predictor, collect_inputs, window_bounds

__all__ = ["Predictor", "collect_inputs", "window_bounds", "write_csv", "write_json"]
