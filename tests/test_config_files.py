"""Argument files for run_classification.py: YAML defaults, command-line overrides, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from transformers import HfArgumentParser

from hf_xser.training.arguments import DataTrainingArguments, ModelArguments, XserTrainingArguments
from hf_xser.training.config_files import parse_args

ROOT = Path(__file__).resolve().parents[1]


def _parser() -> HfArgumentParser:
    return HfArgumentParser((ModelArguments, DataTrainingArguments, XserTrainingArguments))


def test_paper_defaults(tmp_path: Path) -> None:
    model, data, training = parse_args(_parser(), ["--output_dir", str(tmp_path)], ROOT / "configs" / "demo.yaml")
    assert training.optim == "adagrad" and training.learning_rate == 3e-4
    assert training.per_device_train_batch_size == 14
    assert training.metric_for_best_model in ("ua", "eval_ua") and training.greater_is_better
    assert training.load_best_model_at_end
    assert model.head_hidden_size == 192 and model.pooling_source == "latent"
    assert data.crop_seconds == 2.0 and data.fold == "1"


def test_file_values_then_overrides(tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text("fold: 2\nwccn_beta: 0.4\nweight_decay: 5e-4\nuse_wccn: false\noutput_dir: x\n")
    model, data, training = parse_args(_parser(), [str(config), "--fold", "all"], ROOT / "unused.yaml")
    assert data.fold == "all"
    assert model.wccn_beta == 0.4 and model.use_wccn is False
    assert training.weight_decay == 5e-4


def test_every_shipped_config_parses() -> None:
    for path in sorted((ROOT / "configs").glob("*.yaml")):
        _, data, _ = parse_args(_parser(), [str(path), "--bf16", "false"], path)
        assert data.train_languages.count(",") == 1, path


def test_unknown_key_is_named(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("wccn_betta: 0.4\n")
    with pytest.raises(ValueError, match="bad.yaml: unknown argument\\(s\\) wccn_betta"):
        parse_args(_parser(), [str(config)], config)
