"""The UA / WA / confusion-matrix `evaluate` modules against hand-computed cases."""

from __future__ import annotations

import evaluate
import pytest

from hf_xser.metrics import SERMetrics, metric_path


@pytest.fixture(scope="module")
def ser_metrics() -> SERMetrics:
    return SERMetrics(num_labels=4)


def test_hand_computed_case(ser_metrics: SERMetrics) -> None:
    # recalls: class 0 = 2/2, class 1 = 1/3, class 2 = 0/1 -> UA = (1 + 1/3 + 0) / 3; WA = 3/6
    references = [0, 0, 1, 1, 1, 2]
    predictions = [0, 0, 1, 0, 2, 1]
    scores = ser_metrics(predictions, references)
    assert scores["ua"] == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert scores["wa"] == pytest.approx(0.5)
    assert scores["confusion_matrix"] == [[2, 0, 0, 0], [1, 1, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]]


def test_class_absent_from_predictions_counts_as_zero_recall(ser_metrics: SERMetrics) -> None:
    scores = ser_metrics(predictions=[0, 0, 0, 0], references=[0, 0, 3, 3])
    assert scores["ua"] == pytest.approx(0.5)  # class 0: 1, class 3: 0
    assert scores["confusion_matrix"][3] == [2, 0, 0, 0]


def test_class_absent_from_references_is_left_out_of_ua(ser_metrics: SERMetrics) -> None:
    # class 2 is predicted but never a reference: it has no recall, so UA averages classes 0 and 1 only
    scores = ser_metrics(predictions=[0, 2, 1, 1], references=[0, 0, 1, 1])
    assert scores["ua"] == pytest.approx((0.5 + 1.0) / 2)
    assert scores["confusion_matrix"][0] == [1, 0, 1, 0]


def test_heavy_imbalance_separates_ua_from_wa(ser_metrics: SERMetrics) -> None:
    # a majority-class predictor: WA is high, UA is chance for two present classes
    references = [0] * 95 + [1] * 5
    scores = ser_metrics(predictions=[0] * 100, references=references)
    assert scores["wa"] == pytest.approx(0.95)
    assert scores["ua"] == pytest.approx(0.5)


def test_modules_load_by_path_and_combine() -> None:
    combined = evaluate.combine([metric_path("unweighted_accuracy"), metric_path("weighted_accuracy")])
    combined.add_batch(predictions=[0, 1], references=[0, 0])
    combined.add_batch(predictions=[1], references=[1])
    assert combined.compute() == {
        "unweighted_accuracy": pytest.approx(0.75),
        "weighted_accuracy": pytest.approx(2 / 3),
    }


def test_confusion_matrix_rejects_ids_beyond_num_labels() -> None:
    matrix = evaluate.load(metric_path("confusion_matrix"))
    with pytest.raises(ValueError, match="num_labels=2"):
        matrix.compute(predictions=[0, 3], references=[0, 1], num_labels=2)


def test_unknown_metric_name_lists_the_shipped_ones() -> None:
    with pytest.raises(ValueError, match="unweighted_accuracy"):
        metric_path("accuracy")
