"""Confusion matrix: counts of (reference, prediction) pairs, rows = references, columns = predictions."""

import datasets
import evaluate
import numpy as np

_DESCRIPTION = """
The confusion matrix M counts, for every pair of classes (r, p), the utterances whose reference is r and whose
prediction is p: rows are references, columns are predictions, both in class-id order. Its diagonal divided by
the row sums gives the per-class recalls behind the unweighted accuracy.

Pass `num_labels` so that a class absent from both predictions and references still has its row and column;
without it the matrix spans class ids 0 .. max(id).
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions (`list` of `int`): predicted class ids.
    references (`list` of `int`): reference class ids.
    num_labels (`int`, *optional*): number of classes; the matrix is `num_labels` x `num_labels`.
Returns:
    confusion_matrix (`list` of `list` of `int`): rows = references, columns = predictions.
Examples:
    >>> cm = evaluate.load("hf_xser/metrics/confusion_matrix")
    >>> cm.compute(predictions=[0, 0, 1, 2], references=[0, 1, 1, 1], num_labels=4)
    {'confusion_matrix': [[1, 0, 0, 0], [1, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]]}
"""

_CITATION = """
@article{stehman1997selecting,
  title={Selecting and interpreting measures of thematic classification accuracy},
  author={Stehman, Stephen V},
  journal={Remote Sensing of Environment},
  volume={62},
  number={1},
  pages={77--89},
  year={1997}
}
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class ConfusionMatrix(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {"predictions": datasets.Value("int64"), "references": datasets.Value("int64")}
            ),
        )

    def _compute(self, predictions, references, num_labels=None):
        predictions = np.asarray(predictions, dtype=np.int64)
        references = np.asarray(references, dtype=np.int64)
        if num_labels is None:
            num_labels = int(max(predictions.max(initial=-1), references.max(initial=-1))) + 1
        if len(predictions) and max(predictions.max(), references.max()) >= num_labels:
            raise ValueError(f"class ids must be < num_labels={num_labels}")
        matrix = np.bincount(references * num_labels + predictions, minlength=num_labels * num_labels)
        return {"confusion_matrix": matrix.reshape(num_labels, num_labels).tolist()}
