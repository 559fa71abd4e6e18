"""Argument dataclasses of `run_classification.py`, parsed by `HfArgumentParser` as in transformers' examples.

The training defaults are the paper's (§4.4, Table 3): Adagrad, learning rate 3e-4, batch 14, early stopping
on validation UA with the best checkpoint reloaded at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from transformers import TrainingArguments
from transformers.integrations import is_tensorboard_available

from ..data import Mixture, build_mixture

CORPUS_NAMES = ("emodb", "ravdess", "esd", "casia")


@dataclass
class ModelArguments:
    """Which model to fine-tune, and the hyper-parameters of the head, Deep-WCCN and the auxiliary loss."""

    model_name_or_path: str | None = field(
        default=None,
        metadata={
            "help": "Hub id or local folder of a Wav2Vec2ForPreTraining checkpoint (e.g. "
            "facebook/wav2vec2-large-xlsr-53) or of a saved hf-xser model. Leave unset to train from scratch "
            "from --config_name."
        },
    )
    config_name: str | None = field(
        default=None,
        metadata={
            "help": "Backbone config to train from scratch when --model_name_or_path is unset: a Hub id or "
            "folder holding a wav2vec2 config.json, or 'tiny' for the small built-in backbone of the demo."
        },
    )
    cache_dir: str | None = field(default=None, metadata={"help": "Where downloaded models are cached."})
    head_hidden_size: int = field(default=192, metadata={"help": "Size of the FC layer before Deep-WCCN (§5.3)."})
    head_dropout: float = field(default=0.45, metadata={"help": "Dropout after the FC layer (Table 3)."})
    pooling_source: str = field(
        default="latent",
        metadata={"help": "What eq. 8 pools: 'latent' (CNN encoder output Z), 'context' or 'weighted'."},
    )
    use_wccn: bool = field(default=True, metadata={"help": "Insert Deep-WCCN (§3.2) between FC and LayerNorm."})
    wccn_beta: float = field(default=0.2, metadata={"help": "Deep-WCCN smoothing beta of eq. 7 (Table 3)."})
    aux_loss_weight: float = field(
        default=8e-4, metadata={"help": "alpha of eq. 9: weight of the wav2vec 2.0 loss; 0 turns it off."}
    )
    freeze_feature_encoder: bool = field(default=False, metadata={"help": "Freeze the CNN feature encoder."})
    use_lora: bool = field(default=False, metadata={"help": "Fine-tune the backbone with LoRA adapters (PEFT)."})
    lora_rank: int = field(default=8, metadata={"help": "LoRA rank, with --use_lora."})


@dataclass
class DataTrainingArguments:
    """Which corpora, languages and fold; how waveforms are cut."""

    corpora_root: str | None = field(
        default=None,
        metadata={"help": "Folder holding one sub-folder per corpus (emodb/, ravdess/, esd/, casia/)."},
    )
    emodb_dir: str | None = field(default=None, metadata={"help": "Emo-DB folder (German)."})
    ravdess_dir: str | None = field(default=None, metadata={"help": "RAVDESS folder (English)."})
    esd_dir: str | None = field(default=None, metadata={"help": "ESD folder (Mandarin speakers 0001-0010)."})
    casia_dir: str | None = field(default=None, metadata={"help": "CASIA folder (Mandarin), instead of ESD."})
    demo_corpora: bool = field(
        default=False,
        metadata={"help": "Generate the synthetic three-language demo corpora under --corpora_root (cached)."},
    )
    demo_utterances_per_class: int = field(
        default=4, metadata={"help": "Synthetic utterances per speaker and class (1-4), with --demo_corpora."}
    )
    train_languages: str = field(default="de,en", metadata={"help": "Training languages, comma separated."})
    test_languages: str | None = field(
        default=None, metadata={"help": "Cross-language test languages; default: the remaining corpora's."}
    )
    fold: str = field(
        default="1",
        metadata={"help": "Speaker fold (Table 2), or 'all' for every fold all the corpora have (5; CASIA 4)."},
    )
    classes: str = field(default="4", metadata={"help": "'4' (angry, happy, neutral, sad) or 'all'."})
    target_shots: int = field(
        default=0, metadata={"help": "Labelled target-language utterances added to training (§5.4)."}
    )
    crop_seconds: float = field(default=2.0, metadata={"help": "Crop / zero-pad every waveform to this (§4.1.4)."})
    balance: bool = field(default=True, metadata={"help": "Repeat the smaller training language to balance (§4.3)."})
    skip_invalid: bool = field(default=False, metadata={"help": "Skip (and count) unreadable corpus files."})
    early_stopping_patience: int = field(
        default=5, metadata={"help": "Evaluations without validation-UA improvement before stopping."}
    )

    def corpus_dirs(self) -> dict[str, str]:
        """Corpus name -> folder, from the explicit folders and the sub-folders of --corpora_root."""
        dirs = {}
        for name in CORPUS_NAMES:
            explicit = getattr(self, f"{name}_dir")
            if explicit:
                dirs[name] = explicit
            elif self.corpora_root and (Path(self.corpora_root) / name).is_dir():
                dirs[name] = str(Path(self.corpora_root) / name)
        return dirs

    def mixture(self, fold: int, seed: int) -> Mixture:
        """The training scheme these arguments describe, on one fold (paper §4.3-4.4, §5.4)."""
        return build_mixture(
            self.corpus_dirs(),
            fold,
            self.train_languages.split(","),
            self.test_languages.split(",") if self.test_languages else None,
            target_shots=self.target_shots,
            balance=self.balance,
            seed=seed,
            classes=self.classes,
            skip_invalid=self.skip_invalid,
        )


@dataclass
class XserTrainingArguments(TrainingArguments):
    """`TrainingArguments` with the paper's defaults (§4.4, Table 3)."""

    output_dir: str | None = field(default="outputs/run", metadata={"help": "Where the run writes everything."})
    optim: str = field(default="adagrad", metadata={"help": "Optimiser (the paper uses Adagrad)."})
    learning_rate: float = field(default=3e-4, metadata={"help": "Learning rate (Table 3)."})
    weight_decay: float = field(default=4e-4, metadata={"help": "Weight decay (Table 3)."})
    lr_scheduler_type: str = field(default="constant", metadata={"help": "Adagrad adapts its own step sizes."})
    per_device_train_batch_size: int = field(default=14, metadata={"help": "Batch size (Table 3)."})
    per_device_eval_batch_size: int = field(default=14, metadata={"help": "Evaluation batch size."})
    num_train_epochs: float = field(default=30.0, metadata={"help": "Upper bound; early stopping ends sooner."})
    eval_strategy: str = field(default="epoch", metadata={"help": "Validate every epoch for early stopping."})
    save_strategy: str = field(default="epoch", metadata={"help": "Checkpoint every epoch (resumable)."})
    save_total_limit: int | None = field(default=2, metadata={"help": "Keep the best and the last checkpoint."})
    load_best_model_at_end: bool = field(default=True, metadata={"help": "Reload the best validation checkpoint."})
    metric_for_best_model: str | None = field(default="ua", metadata={"help": "Model selection on validation UA."})
    greater_is_better: bool | None = field(default=True, metadata={"help": "UA: higher is better."})
    logging_steps: float = field(default=10, metadata={"help": "Log every N steps."})
    remove_unused_columns: bool = field(default=False, metadata={"help": "The collator needs the audio column."})
    do_train: bool = field(default=True, metadata={"help": "Train (else only evaluate the given model)."})
    torch_num_threads: int | None = field(
        default=None,
        metadata={
            "help": "CPU threads for torch (default: torch's own choice). 1 is much faster for small models on "
            "small CPUs, where `accelerate launch` would otherwise give each process every core."
        },
    )
    report_to: None | str | list[str] = field(
        default_factory=lambda: "tensorboard" if is_tensorboard_available() else "none",
        metadata={"help": "Logging integrations; tensorboard when it is installed."},
    )
