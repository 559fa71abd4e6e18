"""Unweighted accuracy (UA): the mean of the per-class recalls, the SER community's primary metric."""

import datasets
import evaluate
import numpy as np

_DESCRIPTION = """
Unweighted accuracy (UA), also called unweighted average recall (UAR) or balanced accuracy, is the mean over
classes of each class's recall:

    UA = (1 / |C|) * sum_{c in C} TP_c / N_c

where N_c is the number of references of class c and C is the set of classes that occur in the references.
A class predicted but absent from the references has no recall and is left out of the mean; a class present
in the references but never predicted has recall 0. Unlike accuracy, every class weighs the same however
imbalanced the test set is, which is why speech emotion recognition papers report it first.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions (`list` of `int`): predicted class ids.
    references (`list` of `int`): reference class ids.
Returns:
    unweighted_accuracy (`float`): mean per-class recall, in [0, 1].
Examples:
    >>> ua = evaluate.load("hf_xser/metrics/unweighted_accuracy")
    >>> ua.compute(predictions=[0, 0, 1, 2], references=[0, 1, 1, 1])
    {'unweighted_accuracy': 0.6666666666666666}
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
class UnweightedAccuracy(evaluate.Metric):
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
        recalls = [np.mean(predictions[references == c] == c) for c in np.unique(references)]
        return {"unweighted_accuracy": float(np.mean(recalls)) if recalls else float("nan")}
