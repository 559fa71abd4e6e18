"""Aggregation over folds on hand-made cell results: mean, population std, missing folds and unfinished cells."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hf_xser.experiments.aggregate import lookup, read_cells, record_rows, summarise_cells
from hf_xser.experiments.grid import Cell
from hf_xser.experiments.runner import FAILED_FILE
from hf_xser.results import write_all_results

LABELS = ["angry", "happy", "neutral", "sad"]


def make_cell(root: Path, fold: int, variant: str = "wccn") -> Cell:
    output_dir = root / f"DEEN/{variant}/shots0/fold{fold}"
    return Cell(
        name=f"DEEN/{variant}/shots0/fold{fold}",
        kind="neural",
        scheme="DEEN",
        train_languages=("de", "en"),
        fold=fold,
        variant=variant,
        shots=0,
        output_dir=str(output_dir),
        results_dir=str(output_dir),
        test_sets=("de", "en", "zh"),
        commands=(("true",),),
    )


def write_results(cell: Cell, scores: dict[str, float]) -> None:
    records = [
        {
            "fold": cell.fold,
            "scheme": "DEEN",
            "test_set": name,
            "setting": "cross" if name == "zh" else "within",
            "ua": ua,
            "wa": ua / 2,
            "confusion_matrix": [[cell.fold, 0], [1, 2]],
            "labels": LABELS[:2],
            "num_utterances": 10,
        }
        for name, ua in scores.items()
    ]
    write_all_results(cell.results_dir, records, {})


@pytest.fixture
def grid(tmp_path: Path) -> list[Cell]:
    """Folds 1-3 finished, fold 4 failed, fold 5 never started; a second variant with fold 1 only half-written."""
    cells = [make_cell(tmp_path, fold) for fold in range(1, 6)]
    for cell, zh in zip(cells[:3], (0.4, 0.5, 0.9)):
        write_results(cell, {"de": 0.8, "en": 0.6, "zh": zh})
    Path(cells[3].output_dir).mkdir(parents=True)
    Path(cells[3].output_dir, FAILED_FILE).write_text(json.dumps({"name": cells[3].name, "reason": "exit code 1"}))
    partial = make_cell(tmp_path, 1, variant="no-wccn")
    write_results(partial, {"de": 0.7})  # en and zh missing: not complete
    return [*cells, partial]


def test_mean_and_population_std_over_finished_folds(grid: list[Cell]) -> None:
    summary = summarise_cells(read_cells(grid))
    zh = lookup(summary, variant="wccn", test_set="zh")
    assert zh["folds"] == [1, 2, 3] and zh["setting"] == "cross"
    assert zh["ua_mean"] == pytest.approx(0.6)
    assert zh["ua_std"] == pytest.approx(((0.04 + 0.01 + 0.09) / 3) ** 0.5)  # population std, ddof=0
    assert zh["wa_mean"] == pytest.approx(0.3)
    assert lookup(summary, variant="wccn", test_set="de")["ua_std"] == pytest.approx(0.0)
    # Confusion matrices are summed over the folds.
    assert zh["confusion_matrix"] == [[6, 0], [3, 6]]


def test_missing_folds_and_unfinished_cells_are_reported_not_dropped(grid: list[Cell]) -> None:
    results = read_cells(grid)
    assert [r.status for r in results] == ["finished"] * 3 + ["failed", "missing", "incomplete"]
    assert results[3].reason == "exit code 1"
    summary = summarise_cells(results)
    assert lookup(summary, variant="wccn", test_set="en")["missing_folds"] == [4, 5]
    # The half-written cell contributes nothing (not a mean over a subset of its test sets).
    assert lookup(summary, variant="no-wccn") is None
    rows = record_rows(results)
    assert len(rows) == 3 * 3 + 3
    unfinished = {row["cell"]: row for row in rows if row["status"] != "finished"}
    assert set(unfinished) == {grid[3].name, grid[4].name, grid[5].name}
    assert unfinished[grid[3].name]["ua"] is None and unfinished[grid[3].name]["reason"] == "exit code 1"
