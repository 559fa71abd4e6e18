"""Results records, their summary over folds and the results file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hf_xser.metrics import SERMetrics
from hf_xser.results import (
    format_table,
    is_complete,
    read_all_results,
    score_test_set,
    summarise,
    write_all_results,
)

LABELS = ("angry", "happy", "neutral", "sad")


def _record(fold: int, test_set: str, setting: str, ua: float, wa: float) -> dict:
    return {"fold": fold, "scheme": "DEEN", "test_set": test_set, "setting": setting, "ua": ua, "wa": wa,
            "confusion_matrix": [], "labels": list(LABELS), "num_utterances": 10}  # fmt: skip


def test_score_test_set_identifies_the_record() -> None:
    record = score_test_set(
        SERMetrics(4), [0, 1, 1], [0, 1, 2], fold=3, scheme="DECH", test_set="zh", setting="cross", labels=LABELS
    )
    assert record["fold"] == 3 and record["test_set"] == "zh" and record["setting"] == "cross"
    assert record["num_utterances"] == 3
    assert record["ua"] == pytest.approx(2 / 3)


def test_score_test_set_rejects_unknown_setting() -> None:
    with pytest.raises(ValueError, match="'sideways'"):
        score_test_set(SERMetrics(4), [0], [0], fold=1, scheme="X", test_set="de", setting="sideways", labels=LABELS)


def test_summary_is_mean_and_population_std_per_test_set() -> None:
    ua_de, ua_zh = [0.6, 0.7, 0.8], [0.3, 0.5]
    records = [_record(i + 1, "de", "within", ua, 0.5) for i, ua in enumerate(ua_de)]
    records += [_record(i + 1, "zh", "cross", ua, 0.4) for i, ua in enumerate(ua_zh)]
    summary = {s["test_set"]: s for s in summarise(records)}
    assert summary["de"]["ua_mean"] == pytest.approx(np.mean(ua_de))
    assert summary["de"]["ua_std"] == pytest.approx(np.std(ua_de))
    assert summary["zh"]["folds"] == [1, 2]
    assert summary["zh"]["setting"] == "cross"


def test_results_file_round_trip_and_completeness(tmp_path: Path) -> None:
    records = [_record(1, "de", "within", 0.6, 0.5), _record(1, "zh", "cross", 0.4, 0.4)]
    path = write_all_results(tmp_path, records, {"scheme": "DEEN"})
    payload = read_all_results(tmp_path)
    assert payload["results"] == records and payload["settings"] == {"scheme": "DEEN"}
    assert json.loads(path.read_text())["summary"] == summarise(records)
    assert is_complete(tmp_path, ["de", "zh"], folds=[1])
    assert not is_complete(tmp_path, ["de", "zh", "en"], folds=[1])
    assert not is_complete(tmp_path, ["de"], folds=[1, 2])


def test_read_all_results_names_the_bad_file(tmp_path: Path) -> None:
    (tmp_path / "all_results.json").write_text('{"eval_loss": 1.0}')
    with pytest.raises(ValueError, match="all_results.json"):
        read_all_results(tmp_path)
    with pytest.raises(FileNotFoundError, match="nowhere"):
        read_all_results(tmp_path / "nowhere")


def test_table_has_a_row_per_record_and_mean_rows_for_several_folds() -> None:
    records = [_record(f, "de", "within", 0.5 + f / 10, 0.5) for f in (1, 2)]
    table = format_table(records).splitlines()
    assert len(table) == 1 + 2 + 1
    assert "70.0" in table[2] and "65.0 ± 5.0" in table[3]
