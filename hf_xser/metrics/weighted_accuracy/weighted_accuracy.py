"""Weighted accuracy (WA): the overall accuracy, each utterance counting once."""

import datasets
import evaluate
import numpy as np

_DESCRIPTION = """
Weighted accuracy (WA) is the fraction of utterances whose predicted class is the reference class:

    WA = (1 / N) * sum_i [prediction_i == reference_i]

It is "weighted" in the speech emotion recognition sense: each class counts in proportion to its number of
references, so on imbalanced test sets it favours the frequent classes. Report it beside the unweighted
accuracy (UA).
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions (`list` of `int`): predicted class ids.
    references (`list` of `int`): reference class ids.
Returns:
    weighted_accuracy (`float`): overall accuracy, in [0, 1].
Examples:
    >>> wa = evaluate.load("hf_xser/metrics/weighted_accuracy")
    >>> wa.compute(predictions=[0, 0, 1, 2], references=[0, 1, 1, 1])
    {'weighted_accuracy': 0.5}
"""

_CITATION = """
@inproceedings{schuller2009interspeech,
  title={The INTERSPEECH 2009 emotion challenge},
  author={Schuller, Bj{\\"o}rn and Steidl, Stefan and Batliner, Anton},
  booktitle={Proc. Interspeech},
  pages={312--315},
  year={2009}
}
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class WeightedAccuracy(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("int64"), "references": datasets.Value("int64")}
            ),
        )

    def _compute(self, predictions, references):
        predictions = np.asarray(predictions, dtype=np.int64)
        references = np.asarray(references, dtype=np.int64)
        return {"weighted_accuracy": float(np.mean(predictions == references)) if len(references) else float("nan")}
