"""The corpora an experiment or search runs on: the synthetic demo ones are generated once, before any cell."""

from __future__ import annotations

from ..training.arguments import DataTrainingArguments
from ..training.config_files import read_config_file
from ..training.demo import ensure_demo_corpora


def prepare_demo_corpora(corpora_root: str, training_config: str | None, training_overrides: dict) -> None:
    """Generate the demo corpora under `corpora_root` as the training script would (same seed and size).

    Done once up front, and the cells then run with `--demo_corpora false`, so that cells running side by side
    (shards, trials) never regenerate the same folder under each other, and baseline cells find the corpora too.
    """
    values = {**(read_config_file(training_config) if training_config else {}), **training_overrides}
    ensure_demo_corpora(
        corpora_root,
        int(values.get("seed", 42)),
        int(values.get("demo_utterances_per_class", DataTrainingArguments.demo_utterances_per_class)),
    )
