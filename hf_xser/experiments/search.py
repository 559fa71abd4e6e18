"""Hyper-parameter search around the training script (paper §4.5, Table 3), with optuna's TPE (Hyperopt's algorithm).

One study per scheme, kept in an SQLite storage under the study's name: re-running continues from the stored
trials, and `n_trials` is the total a study should reach, not the number to add. Each trial runs
`run_classification.py` with the sampled values in its own folder and is scored by its best validation UA (the
Trainer's `best_metric`, the model-selection metric). The best values are written as a ready argument file
(`run_classification.py OUTPUT_DIR/SCHEME/best.yaml`) and a `search_summary.json` the report reads.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..baselines.run import parse_scheme
from ..training.config_files import read_config_file
from .config import launcher_command
from .grid import as_arguments
from .runner import CommandRunner, run_command

logger = logging.getLogger(__name__)

SUMMARY_FILE = "search_summary.json"
BEST_FILE = "best.yaml"
# Table 3's tuned hyper-parameters (and the learning rate), with ranges around the paper's values.
DEFAULT_SPACE = {
    "learning_rate": {"low": 1e-5, "high": 1e-3, "log": True},
    "weight_decay": {"low": 1e-5, "high": 1e-2, "log": True},
    "head_dropout": {"low": 0.0, "high": 0.5},
    "wccn_beta": {"low": 0.0, "high": 1.0},
    "aux_loss_weight": {"low": 1e-4, "high": 1e-2, "log": True},
}


class TrialFailed(RuntimeError):
    """The training script failed or reported no validation UA; optuna records the trial as failed."""


@dataclass
class SearchConfig:
    """What `hf-xser search` runs.

    Args:
        output_dir (`str`): trials, storage, best files and summaries go here.
        study_name (`str`): the storage's study name; each scheme's study is `<study_name>-<SCHEME>`.
        schemes (`list[str]`): one study per scheme, as the paper tunes per scheme.
        n_trials (`int`): completed trials each study should have in the end.
        space (`dict`): argument -> `{low, high, log}` float range (default: Table 3's parameters and the lr).
        fold (`int`): the speaker fold the trials train and validate on.
        storage (`str`, *optional*): an optuna storage URL; default `sqlite:///<output_dir>/study.db`.
        seed (`int`): the sampler's seed.
        training_config, training_overrides, scheme_overrides, corpora_root, demo_corpora, launcher, script:
            as in `ExperimentConfig`.
    """

    output_dir: str
    study_name: str
    schemes: list[str]
    n_trials: int = 20
    space: dict = field(default_factory=lambda: dict(DEFAULT_SPACE))
    fold: int = 1
    storage: str | None = None
    seed: int = 0
    training_config: str | None = None
    training_overrides: dict = field(default_factory=dict)
    scheme_overrides: dict = field(default_factory=dict)
    corpora_root: str | None = None
    demo_corpora: bool = False
    launcher: list[str] = field(default_factory=lambda: [sys.executable])
    script: str = "run_classification.py"

    def storage_url(self) -> str:
        return self.storage or f"sqlite:///{Path(self.output_dir).resolve() / 'study.db'}"


def load_search_config(path: str | os.PathLike) -> SearchConfig:
    """Read a search YAML file (see `configs/experiments/search-demo.yaml`)."""
    raw = yaml.safe_load(Path(path).read_text())
    unknown = sorted(set(raw) - set(SearchConfig.__dataclass_fields__))
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {', '.join(unknown)}")
    launcher = raw.pop("launcher", "python")
    return SearchConfig(launcher=launcher_command(launcher), **raw)


def validation_ua(output_dir: Path) -> float:
    """The best validation UA of a finished run (the Trainer's `best_metric`)."""
    state = output_dir / "trainer_state.json"
    value = json.loads(state.read_text()).get("best_metric") if state.is_file() else None
    if value is None:
        raise TrialFailed(f"{output_dir}: no validation UA (no trainer_state.json with best_metric)")
    return float(value)


def _overrides(config: SearchConfig, scheme: str) -> dict:
    """The arguments every trial of a scheme adds to the training file, before the sampled ones."""
    return {
        **config.training_overrides,
        **config.scheme_overrides.get(scheme, {}),
        **({"corpora_root": config.corpora_root, "demo_corpora": config.demo_corpora} if config.corpora_root else {}),
        "train_languages": ",".join(parse_scheme(scheme)),
        "fold": str(config.fold),
    }


def _objective(config: SearchConfig, scheme: str, runner: CommandRunner):
    def objective(trial) -> float:
        params = {
            name: trial.suggest_float(name, float(r["low"]), float(r["high"]), log=bool(r.get("log", False)))
            for name, r in config.space.items()
        }
        trial_dir = Path(config.output_dir) / scheme / f"trial_{trial.number:03d}"
        trial_dir.mkdir(parents=True, exist_ok=True)
        # The corpora were prepared up front: trials never regenerate them under each other.
        overrides = {**_overrides(config, scheme), "demo_corpora": False, **params, "output_dir": str(trial_dir)}
        training_file = [config.training_config] if config.training_config else []
        command = [*config.launcher, config.script, *training_file, *as_arguments(overrides, "training")]
        returncode = runner(command, trial_dir / "log.txt")
        if returncode != 0:
            raise TrialFailed(f"trial {trial.number}: exit code {returncode}; see {trial_dir / 'log.txt'}")
        return validation_ua(trial_dir)

    return objective


def _write_outputs(config: SearchConfig, scheme: str, study) -> dict:
    from optuna.trial import TrialState

    scheme_dir = Path(config.output_dir) / scheme
    completed = [t for t in study.trials if t.state == TrialState.COMPLETE]
    summary = {
        "study_name": study.study_name,
        "scheme": scheme,
        "storage": config.storage_url(),
        "completed_trials": len(completed),
        "trials": [
            {"number": t.number, "state": t.state.name, "value": t.value, "params": t.params} for t in study.trials
        ],
        "best": None,
        "best_config": None,
    }
    if completed:
        best = study.best_trial
        # The training file's values merged in, so the best file stands alone.
        file_values = read_config_file(config.training_config) if config.training_config else {}
        arguments = {
            **file_values,
            **_overrides(config, scheme),
            **best.params,
            "output_dir": str(scheme_dir / "best"),
        }
        best_path = scheme_dir / BEST_FILE
        header = f"# Best of study {study.study_name} (trial {best.number}, validation UA {best.value:.4f}).\n"
        best_path.write_text(header + yaml.safe_dump(arguments, sort_keys=False))
        summary["best"] = {"number": best.number, "value": best.value, "params": best.params}
        summary["best_config"] = str(best_path)
    (scheme_dir / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def run_search(config: SearchConfig, runner: CommandRunner = run_command) -> list[dict]:
    """Run (or continue) one study per scheme up to `n_trials` completed trials; returns their summaries."""
    import optuna
    from optuna.trial import TrialState

    Path(config.output_dir).mkdir(parents=True, exist_ok=True)
    # A heartbeat lets optuna mark trials of a killed search as failed when it resumes, instead of RUNNING forever.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        storage = optuna.storages.RDBStorage(config.storage_url(), heartbeat_interval=60, grace_period=180)
    summaries = []
    for scheme in config.schemes:
        study = optuna.create_study(
            study_name=f"{config.study_name}-{scheme}", storage=storage, direction="maximize", load_if_exists=True
        )
        # Seeded by the trials so far: a resumed study draws new values instead of repeating its first ones.
        study.sampler = optuna.samplers.TPESampler(seed=config.seed + len(study.trials))
        done = len(study.get_trials(states=(TrialState.COMPLETE,)))
        remaining = max(config.n_trials - done, 0)
        logger.info("study %s: %d completed trials, %d to run", study.study_name, done, remaining)
        if remaining:
            study.optimize(_objective(config, scheme, runner), n_trials=remaining, catch=(TrialFailed,))
        summaries.append(_write_outputs(config, scheme, study))
    return summaries
