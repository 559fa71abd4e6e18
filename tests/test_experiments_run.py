"""A real, tiny grid end to end through the CLI: a neural cell (2 steps, embeddings dumped) and an eGeMAPS cell on
synthetic corpora, the report with its figures, and a re-run that skips both finished cells."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TINY_TRAINING = {
    "head_hidden_size": 16,
    "max_steps": 2,
    "eval_strategy": "steps",
    "eval_steps": 2,
    "save_strategy": "steps",
    "save_steps": 2,
    "per_device_eval_batch_size": 32,
    "demo_utterances_per_class": 1,
    "report_to": "none",
    "disable_tqdm": True,
}


def _hf_xser(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "hf_xser.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def test_tiny_grid_runs_reports_and_resumes(tmp_path: Path) -> None:
    config = {
        "run_dir": str(tmp_path / "run"),
        "training_config": str(ROOT / "configs/demo.yaml"),
        "training_overrides": TINY_TRAINING,
        "corpora_root": str(tmp_path / "corpora"),
        "demo_corpora": True,
        "schemes": ["DEEN"],
        "folds": [1],
        "variants": {
            "wccn": {"kind": "neural"},
            "egemaps": {"kind": "baseline", "overrides": {"features": "egemaps"}},
        },
        "embeddings": {"variants": ["wccn"]},
    }
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))

    first = _hf_xser("experiment", str(path), "--report")
    assert "0 skipped, 2 done, 0 failed" in first.stdout
    run_dir = tmp_path / "run"
    assert (run_dir / "DEEN/wccn/shots0/fold1/embeddings.npz").is_file()
    assert (run_dir / "DEEN/egemaps/shots0/fold1/DEEN/all_results.json").is_file()
    report = (run_dir / "report.md").read_text()
    assert "2 finished, 0 failed, 0 incomplete, 0 missing of 2" in report
    assert "| DEEN->DE |" in report
    figures = {p.name for p in (run_dir / "figures").glob("*.png")}
    assert {"within_language.png", "cross_vs_within.png", "pca_DEEN_fold1_shots0.png"} <= figures

    again = _hf_xser("experiment", str(path))
    assert "2 skipped, 0 done, 0 failed" in again.stdout
