"""`hf-xser report` on a grid filled by the fake runner: Markdown tables, CSV, figures, failures, searches."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from test_experiments_grid import FakeRunner, write_grid

from hf_xser.cli import main as cli_main
from hf_xser.experiments.config import load_experiment_config
from hf_xser.experiments.grid import expand_cells
from hf_xser.experiments.runner import run_cells, write_manifest
from hf_xser.experiments.search import SUMMARY_FILE

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test grid with every cell finished except one failed and one never run, and a search summary."""
    tmp_path = tmp_path_factory.mktemp("report")
    path = write_grid(tmp_path)
    cells = expand_cells(load_experiment_config(path))
    write_manifest(tmp_path / "run", cells, path)
    skipped = "ENCH/egemaps/shots0/fold2"
    run_cells([c for c in cells if c.name != skipped], FakeRunner(cells, fail={"ENCH/no-wccn/shots0/fold1"}))
    search_dir = tmp_path / "run/search/DEEN"
    search_dir.mkdir(parents=True)
    summary = {
        "study_name": "demo-DEEN",
        "scheme": "DEEN",
        "completed_trials": 3,
        "best_config": "best.yaml",
        "best": {"number": 1, "value": 0.625, "params": {"learning_rate": 0.003, "wccn_beta": 0.4}},
    }
    (search_dir / SUMMARY_FILE).write_text(json.dumps(summary))
    assert cli_main(["report", str(tmp_path / "run")]) == 0
    return tmp_path / "run"


def test_report_tables_in_the_papers_shape(run_dir: Path) -> None:
    report = (run_dir / "report.md").read_text()
    for heading in (
        "Within-language (Fig. 2)",
        "Cross- vs within-language (Fig. 3)",
        "gains, cross-language (Fig. 4)",
        "Target-language shots",
        "Published numbers (Table 4)",
        "Hyper-parameter search",
    ):
        assert heading in report
    # DEEN->DE, wccn: fake UA 0.25 + 0.1 fold + 0.02 + 0.05 over folds 1, 2 -> 47.0 ± 5.0.
    assert "| DEEN->DE | 47.0 ± 5.0 |" in report
    # The failed fold is said, not hidden: ENCH no-wccn has fold 2 only.
    assert "(1/2 folds)" in report
    assert "ENCH/no-wccn/shots0/fold1 | failed | exit code 3" in report
    assert "ENCH/egemaps/shots0/fold2 | missing | not run yet" in report
    # Deep-WCCN gain is the fake +5 points, beside the paper's quoted DEEN->CH gain.
    assert "| Deep-WCCN | DEEN->CH | +5.0 | +5.0 | +0.4 / +0.4 |" in report
    assert "| Table 4 | DE+CH -> RAVDESS | cross | 64.0 | 61.2 |" in report
    assert "Best validation UA 62.5 %" in report


def test_csv_has_every_cell(run_dir: Path) -> None:
    rows = list(csv.DictReader(open(run_dir / "cells.csv")))
    cells = {row["cell"] for row in rows}
    assert len(cells) == 18
    row = next(r for r in rows if r["cell"] == "DEEN/wccn/shots30/fold2" and r["test_set"] == "zh")
    assert float(row["ua"]) == pytest.approx(0.25 + 0.2 + 0.02 + 0.05) and row["setting"] == "cross"  # fake_ua


def test_every_figure_is_a_png_and_linked(run_dir: Path) -> None:
    report = (run_dir / "report.md").read_text()
    figures = sorted(p.name for p in (run_dir / "figures").glob("*.png"))
    for name in (
        "within_language.png",
        "cross_vs_within.png",
        "wccn_gains.png",
        "target_shots.png",
        "confusion_DEEN_wccn.png",
        "pca_DEEN_fold1_shots0.png",
    ):
        assert name in figures
    for name in figures:
        assert (run_dir / "figures" / name).read_bytes()[:8] == PNG_MAGIC
        assert f"(figures/{name})" in report
