"""`hf-xser search`: trials stored in SQLite, resumed rather than restarted, best configuration as an argument file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from transformers import HfArgumentParser

from hf_xser.experiments.search import SUMMARY_FILE, load_search_config, run_search
from hf_xser.training.arguments import DataTrainingArguments, ModelArguments, XserTrainingArguments
from hf_xser.training.config_files import parse_args

ROOT = Path(__file__).resolve().parents[1]


def write_search(tmp_path: Path, **changes) -> Path:
    config = {
        "output_dir": str(tmp_path / "search"),
        "study_name": "test",
        "schemes": ["DEEN"],
        "n_trials": 2,
        "training_config": str(ROOT / "configs/demo.yaml"),
        "training_overrides": {"max_steps": 2},
        "corpora_root": str(tmp_path / "corpora"),
        "demo_corpora": True,
        "space": {"learning_rate": {"low": 1e-4, "high": 1e-2, "log": True}, "wccn_beta": {"low": 0.0, "high": 1.0}},
        **changes,
    }
    path = tmp_path / "search.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


class FakeTraining:
    """Stands in for the training script: validation UA = 1 - wccn_beta, written where the Trainer would."""

    def __init__(self) -> None:
        self.trials: list[dict] = []

    def __call__(self, command, log_path: Path) -> int:
        args = dict(zip(command, command[1:]))
        self.trials.append({"wccn_beta": float(args["--wccn_beta"]), "learning_rate": float(args["--learning_rate"])})
        state = {"best_metric": 1.0 - float(args["--wccn_beta"])}
        (Path(args["--output_dir"]) / "trainer_state.json").write_text(json.dumps(state))
        return 0


def test_search_resumes_from_stored_trials_and_writes_best_config(tmp_path: Path) -> None:
    config = load_search_config(write_search(tmp_path))
    first = FakeTraining()
    [summary] = run_search(config, first)
    assert len(first.trials) == 2 and summary["completed_trials"] == 2
    # Asking for 3 in total runs only the missing one, with new values.
    config.n_trials = 3
    second = FakeTraining()
    [summary] = run_search(config, second)
    assert len(second.trials) == 1 and summary["completed_trials"] == 3
    assert second.trials[0] not in first.trials
    # Same number again: nothing to do.
    third = FakeTraining()
    run_search(config, third)
    assert third.trials == []

    trials = first.trials + second.trials
    best = min(trials, key=lambda t: t["wccn_beta"])
    assert summary["best"]["value"] == pytest.approx(1 - best["wccn_beta"])
    # The best file is a ready argument file for run_classification.py.
    best_file = Path(summary["best_config"])
    parser = HfArgumentParser((ModelArguments, DataTrainingArguments, XserTrainingArguments))
    model_args, data_args, training_args = parse_args(parser, [str(best_file)], ROOT / "configs/demo.yaml")
    assert model_args.wccn_beta == pytest.approx(best["wccn_beta"])
    assert training_args.learning_rate == pytest.approx(best["learning_rate"])
    assert data_args.train_languages == "de,en" and training_args.max_steps == 2
    assert json.loads((best_file.parent / SUMMARY_FILE).read_text())["completed_trials"] == 3


def test_failed_trial_is_recorded_and_search_goes_on(tmp_path: Path) -> None:
    config = load_search_config(write_search(tmp_path))
    [summary] = run_search(config, lambda command, log: 1)
    assert summary["completed_trials"] == 0 and summary["best"] is None
    assert [t["state"] for t in summary["trials"]] == ["FAIL", "FAIL"]


def test_real_search_on_demo_corpora(tmp_path: Path) -> None:
    """One real trial of the training script (2 steps) through the CLI; a re-run finds it stored."""
    path = write_search(
        tmp_path,
        n_trials=1,
        training_overrides={
            "max_steps": 2,
            "eval_strategy": "steps",
            "eval_steps": 2,
            "save_strategy": "steps",
            "save_steps": 2,
            "head_hidden_size": 16,
            "demo_utterances_per_class": 1,
            "report_to": "none",
            "disable_tqdm": True,
        },
    )
    command = [sys.executable, "-m", "hf_xser.cli", "search", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "test-DEEN: 1 completed trials; best validation UA" in result.stdout
    best = yaml.safe_load((tmp_path / "search/DEEN/best.yaml").read_text())
    assert best["demo_corpora"] is True and best["output_dir"].endswith("best")
    # The stored trial counts: re-running asks nothing of the training script.
    run_search(load_search_config(path), lambda command, log: pytest.fail("a finished study ran a trial"))
