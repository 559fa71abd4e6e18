"""A small grid on the real corpora (Emo-DB, RAVDESS, CASIA for Mandarin): its report's baseline rows equal what
`hf-xser baseline` alone gives for the same cell, and the neural cell (a few steps) lands in the report too."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hf_xser.experiments.aggregate import lookup
from hf_xser.results import read_all_results

ROOT = Path(__file__).resolve().parents[1]
TINY_TRAINING = {
    "config_name": "tiny",
    "head_hidden_size": 16,
    "max_steps": 2,
    "eval_strategy": "steps",
    "eval_steps": 2,
    "save_strategy": "steps",
    "save_steps": 2,
    "per_device_train_batch_size": 8,
    "per_device_eval_batch_size": 32,
    "use_cpu": True,
    "report_to": "none",
    "disable_tqdm": True,
    "dataloader_num_workers": 0,
}


def _hf_xser(*args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hf_xser.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=900
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.real_data
def test_report_baseline_rows_equal_the_baseline_command(corpora_dir: Path, tmp_path: Path) -> None:
    config = {
        "run_dir": str(tmp_path / "run"),
        "training_overrides": TINY_TRAINING,
        "corpora_root": str(corpora_dir),
        "baseline_options": {"num-workers": 2},  # openSMILE on ~1,800 files dominates the test's time
        "schemes": ["DEEN"],
        "folds": [1],
        "variants": {
            "wccn": {"kind": "neural"},
            "egemaps": {"kind": "baseline", "overrides": {"features": "egemaps"}},
        },
    }
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    _hf_xser("experiment", str(path), "--report")
    _hf_xser(
        "baseline",
        "--features",
        "egemaps",
        "--train-languages",
        "de,en",
        "--fold",
        "1",
        "--corpora-root",
        str(corpora_dir),
        "--output-dir",
        str(tmp_path / "alone"),
        "--no-progress",
        "--num-workers",
        "2",
    )

    summary = json.loads((tmp_path / "run/summary.json").read_text())
    alone = read_all_results(tmp_path / "alone/DEEN")["results"]
    assert {r["test_set"] for r in alone} == {"de", "en", "zh"}  # CASIA stands in for ESD as Mandarin
    for record in alone:
        row = lookup(summary, variant="egemaps", scheme="DEEN", shots=0, test_set=record["test_set"])
        assert row["folds"] == [1] and row["setting"] == record["setting"]
        assert row["ua_mean"] == record["ua"] and row["wa_mean"] == record["wa"]
        assert row["confusion_matrix"] == record["confusion_matrix"]
    assert lookup(summary, variant="wccn", scheme="DEEN", test_set="zh")["setting"] == "cross"
    report = (tmp_path / "run/report.md").read_text()
    assert "2 finished, 0 failed" in report
