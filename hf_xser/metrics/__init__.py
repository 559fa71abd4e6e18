"""`evaluate` modules shipped with hf-xser: unweighted accuracy (UA), weighted accuracy (WA), confusion matrix.

They load offline by path (`evaluate.load(metric_path("unweighted_accuracy"))`); the Hub's own accuracy and
recall modules would need the network. Each module is a standalone script, as `evaluate` loads them one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import evaluate

METRIC_NAMES = ("unweighted_accuracy", "weighted_accuracy", "confusion_matrix")


def metric_path(name: str) -> str:
    """The folder of one of the shipped metric modules, for `evaluate.load`."""
    if name not in METRIC_NAMES:
        raise ValueError(f"unknown metric {name!r}; hf-xser ships {', '.join(METRIC_NAMES)}")
    return str(Path(__file__).parent / name)


class SERMetrics:
    """UA, WA and the confusion matrix of one set of predictions, through the `evaluate` modules.

    The modules are loaded once; calling the instance scores one test set:
    `SERMetrics(num_labels=4)(predictions, references)` -> `{"ua": ..., "wa": ..., "confusion_matrix": ...}`.
    """

    def __init__(self, num_labels: int) -> None:
        self.num_labels = num_labels
        self.accuracies = evaluate.combine([metric_path("unweighted_accuracy"), metric_path("weighted_accuracy")])
        self.confusion = evaluate.load(metric_path("confusion_matrix"))

    def __call__(self, predictions: Sequence[int], references: Sequence[int]) -> dict:
        scores = self.accuracies.compute(predictions=predictions, references=references)
        matrix = self.confusion.compute(predictions=predictions, references=references, num_labels=self.num_labels)
        return {
            "ua": scores["unweighted_accuracy"],
            "wa": scores["weighted_accuracy"],
            "confusion_matrix": matrix["confusion_matrix"],
        }
