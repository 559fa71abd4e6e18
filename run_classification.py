#!/usr/bin/env python
"""Fine-tune wav2vec 2.0 + Deep-WCCN for speaker-independent cross-language speech emotion recognition.

Train on two languages, select the best checkpoint on validation UA, and evaluate within-language (the training
languages' test speakers) and cross-language (the held-out language's test speakers), as in the paper §4.

    accelerate launch run_classification.py                          # the offline demo (configs/demo.yaml)
    accelerate launch run_classification.py configs/dech.yaml --fold all
    accelerate launch run_classification.py --model_name_or_path facebook/wav2vec2-large-xlsr-53 \
        --corpora_root /data/ser --train_languages de,en --fold 1 --output_dir outputs/deen

Arguments come from the command line, from one YAML/JSON file, or from a file followed by overrides.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import datasets
import torch
import transformers
from transformers import EarlyStoppingCallback, HfArgumentParser, Trainer, set_seed
from transformers.trainer_utils import get_last_checkpoint

from hf_xser.data import corpus_builder, resolve_folds
from hf_xser.data.collator import CroppedWaveforms, WaveformCollator
from hf_xser.metrics import SERMetrics
from hf_xser.results import format_table, write_all_results
from hf_xser.training.arguments import DataTrainingArguments, ModelArguments, XserTrainingArguments
from hf_xser.training.config_files import parse_args
from hf_xser.training.demo import REAL_RUN_HINT, ensure_demo_corpora
from hf_xser.training.evaluation import score_test_sets, validation_metrics
from hf_xser.training.hub import push_folder
from hf_xser.training.model_card import build_model_card
from hf_xser.training.model_setup import build_model
from hf_xser.training.saving import save_final_model

logger = logging.getLogger(__name__)
DEMO_CONFIG = Path(__file__).resolve().parent / "configs" / "demo.yaml"


def run_fold(
    fold: int,
    model_args: ModelArguments,
    data_args: DataTrainingArguments,
    training_args: XserTrainingArguments,
) -> tuple[list[dict], dict]:
    """Train and test one speaker fold; return its test-set records and what the model card needs of it."""
    set_seed(training_args.seed)
    mixture = data_args.mixture(fold, training_args.seed)
    logger.info("Fold %d:\n%s", fold, mixture.summary())
    labels = mixture.train.features["label"].names

    model, feature_extractor = build_model(model_args, labels)
    if model_args.freeze_feature_encoder:
        model.freeze_feature_encoder()
    if model_args.use_lora:
        from hf_xser.models.lora import apply_lora

        model = apply_lora(model, r=model_args.lora_rank)

    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=CroppedWaveforms(mixture.train, data_args.crop_seconds, random_crop=True),
        eval_dataset=CroppedWaveforms(mixture.validation, data_args.crop_seconds, random_crop=False),
        data_collator=WaveformCollator(feature_extractor, data_args.crop_seconds),
        processing_class=feature_extractor,
        compute_metrics=validation_metrics(SERMetrics(num_labels=len(labels))),
        callbacks=[EarlyStoppingCallback(early_stopping_patience=data_args.early_stopping_patience)],
    )

    if training_args.do_train:
        # A killed run goes on from its last checkpoint (weights, optimiser, RNG and Deep-WCCN buffers).
        checkpoint = training_args.resume_from_checkpoint or get_last_checkpoint(training_args.output_dir)
        if checkpoint:
            logger.info("Resuming from %s", checkpoint)
        train_result = trainer.train(resume_from_checkpoint=checkpoint)
        trainer.log_metrics("train", train_result.metrics)
        trainer.save_metrics("train", train_result.metrics)
        trainer.save_state()
        save_final_model(trainer, training_args.output_dir)

    records = score_test_sets(
        trainer,
        mixture.test,
        mixture.settings,
        crop_seconds=data_args.crop_seconds,
        fold=fold,
        scheme=mixture.scheme,
        labels=labels,
    )
    return records, {"repeat_factors": mixture.repeat_factors, "test_languages": list(mixture.test_languages)}


def main() -> None:
    model_args, data_args, training_args = parse_args(
        HfArgumentParser((ModelArguments, DataTrainingArguments, XserTrainingArguments)), sys.argv[1:], DEMO_CONFIG
    )
    log_level = training_args.get_process_log_level()
    logging.basicConfig(
        format="%(asctime)s - %(levelname)s - %(name)s - %(message)s",
        datefmt="%H:%M:%S",
        level=log_level,
        handlers=[logging.StreamHandler(sys.stdout)],
    )
    datasets.utils.logging.set_verbosity(log_level)
    transformers.utils.logging.set_verbosity(log_level)
    for name in (__name__, "hf_xser"):  # our progress messages on the main process only
        logging.getLogger(name).setLevel(logging.INFO if training_args.should_log else log_level)
    logger.info("Model %s\nData %s", model_args, data_args)
    if training_args.torch_num_threads:
        torch.set_num_threads(training_args.torch_num_threads)

    if data_args.demo_corpora:
        if not data_args.corpora_root:
            raise ValueError("--demo_corpora needs --corpora_root: the folder to write the synthetic corpora to")
        ensure_demo_corpora(data_args.corpora_root, training_args.seed, data_args.demo_utterances_per_class)
    corpora = data_args.corpus_dirs()
    if not corpora:
        raise ValueError(
            "no corpus folder given: pass --corpora_root (holding emodb/, ravdess/, esd/ or casia/) or "
            "--emodb_dir / --ravdess_dir / --esd_dir / --casia_dir"
        )

    # One Hub push at the end, with the model card; the Trainer would push at every save.
    push_to_hub, hub_model_id = training_args.push_to_hub, training_args.hub_model_id
    training_args.push_to_hub = False
    num_folds = {
        name: corpus_builder(name, folder, data_args.classes, skip_invalid=data_args.skip_invalid)
        .fold_table()
        .num_folds
        for name, folder in corpora.items()
    }
    folds = resolve_folds(data_args.fold, num_folds)
    root = Path(training_args.output_dir)
    records, fold_info = [], {}
    for fold in folds:
        training_args.output_dir = str(root / f"fold{fold}") if len(folds) > 1 else str(root)
        fold_records, fold_info[fold] = run_fold(fold, model_args, data_args, training_args)
        records += fold_records
        if len(folds) > 1 and training_args.should_save:
            write_all_results(training_args.output_dir, fold_records, {"fold": fold, **fold_info[fold]})

    settings = {
        "scheme": records[0]["scheme"],
        "train_languages": data_args.train_languages.split(","),
        "test_languages": fold_info[folds[0]]["test_languages"],
        "corpora": sorted(corpora),
        "base_model": model_args.model_name_or_path,  # None when trained from scratch
        "backbone": model_args.model_name_or_path or model_args.config_name,
        "folds": folds,
        "repeat_factors": fold_info[folds[0]]["repeat_factors"],
        "balance": data_args.balance,
        "target_shots": data_args.target_shots,
        "crop_seconds": data_args.crop_seconds,
    }
    hyper_parameters = {
        "head_hidden_size": model_args.head_hidden_size,
        "head_dropout": model_args.head_dropout,
        "pooling_source": model_args.pooling_source,
        "use_wccn": model_args.use_wccn,
        "wccn_beta": model_args.wccn_beta,
        "aux_loss_weight": model_args.aux_loss_weight,
        "optim": getattr(training_args.optim, "value", training_args.optim),
        "learning_rate": training_args.learning_rate,
        "weight_decay": training_args.weight_decay,
        "batch_size": training_args.per_device_train_batch_size,
    }
    if not training_args.should_save:  # one process writes results and cards
        return
    results_path = write_all_results(root, records, {**settings, **hyper_parameters})
    print(format_table(records))
    logger.info("Results written to %s", results_path)

    for fold in folds:
        fold_dir = root / f"fold{fold}" if len(folds) > 1 else root
        repo_id = hub_model_id or fold_dir.resolve().name
        if len(folds) > 1:
            repo_id = f"{repo_id}-fold{fold}"
        fold_records = [r for r in records if r["fold"] == fold]
        card = build_model_card(
            repo_id=repo_id,
            records=fold_records,
            settings={**settings, "folds": [fold], "repeat_factors": fold_info[fold]["repeat_factors"]},
            hyper_parameters=hyper_parameters,
        )
        card.save(fold_dir / "README.md")
        if push_to_hub:
            push_folder(fold_dir, repo_id, token=training_args.hub_token, private=training_args.hub_private_repo)
    if data_args.demo_corpora:
        print(REAL_RUN_HINT)


if __name__ == "__main__":
    main()
