"""Validation metrics for model selection, and the final scoring of every test set of a training scheme."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from transformers import EvalPrediction, Trainer

from ..data.collator import CroppedWaveforms
from ..metrics import SERMetrics
from ..results import score_test_set


def _logits(predictions: np.ndarray | tuple) -> np.ndarray:
    # The model's output holds more than logits (embeddings, loss terms); logits come first.
    return predictions[0] if isinstance(predictions, tuple) else predictions


def validation_metrics(metrics: SERMetrics) -> Callable[[EvalPrediction], dict[str, float]]:
    """`compute_metrics` for the Trainer: UA (the model-selection metric, §4.4) and WA on the validation set."""

    def compute(prediction: EvalPrediction) -> dict[str, float]:
        scores = metrics(_logits(prediction.predictions).argmax(-1), prediction.label_ids)
        return {"ua": scores["ua"], "wa": scores["wa"]}

    return compute


def score_test_sets(
    trainer: Trainer,
    test_sets: dict,
    settings: dict[str, str],
    *,
    crop_seconds: float,
    fold: int,
    scheme: str,
    labels: Sequence[str],
) -> list[dict]:
    """One record per test set (within-language first), from the centre crops of its utterances."""
    metrics = SERMetrics(num_labels=len(labels))
    records = []
    for name in sorted(test_sets, key=lambda n: (settings[n] != "within", n)):
        output = trainer.predict(CroppedWaveforms(test_sets[name], crop_seconds, random_crop=False))
        predictions = _logits(output.predictions).argmax(-1)
        records.append(
            score_test_set(
                metrics,
                predictions.tolist(),
                output.label_ids.tolist(),
                fold=fold,
                scheme=scheme,
                test_set=name,
                setting=settings[name],
                labels=labels,
            )
        )
    return records
