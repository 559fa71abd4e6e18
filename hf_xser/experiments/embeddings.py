"""Dump a trained cell's embeddings for the PCA figure (paper Fig. 5), from the saved model alone.

    python -m hf_xser.experiments.embeddings FILE.yaml --overrides   # the same arguments as run_classification.py

Loads the model from `--output_dir`, rebuilds the fold's mixture, and writes `embeddings.npz` there with, per split
(`train`: each training utterance once, repetitions dropped; `validation`), the features entering Deep-WCCN
(`embeddings`), leaving it (`wccn_embeddings`, the output network's input) and the labels, from centre crops.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from datasets import Dataset
from transformers import AutoFeatureExtractor, AutoModelForAudioClassification, HfArgumentParser

import hf_xser  # noqa: F401  (registers the model with the Auto classes)
from hf_xser.data.collator import CroppedWaveforms, WaveformCollator
from hf_xser.training.arguments import DataTrainingArguments, ModelArguments, XserTrainingArguments
from hf_xser.training.config_files import parse_args

from .grid import EMBEDDINGS_FILE


def _unique(dataset: Dataset) -> Dataset:
    """The mixture's training set with each utterance once (the smaller language is repeated to balance)."""
    keys = list(zip(dataset["corpus"], dataset["utterance_id"]))
    first = {key: index for index, key in reversed(list(enumerate(keys)))}
    return dataset.select(sorted(first.values()))


@torch.no_grad()
def embed(
    model, dataset: Dataset, collator: WaveformCollator, crop_seconds: float, batch_size: int, device: torch.device
) -> dict:
    """`embeddings`, `wccn_embeddings` and `labels` of every utterance of `dataset` (centre crops), in order."""
    items = CroppedWaveforms(dataset, crop_seconds, random_crop=False)
    loader = torch.utils.data.DataLoader(items, batch_size=batch_size, collate_fn=collator)
    parts = {"embeddings": [], "wccn_embeddings": [], "labels": []}
    for batch in loader:
        labels = batch.pop("labels")
        output = model(**{key: value.to(device) for key, value in batch.items()})
        parts["embeddings"].append(output.embeddings.float().cpu().numpy())
        parts["wccn_embeddings"].append(output.wccn_embeddings.float().cpu().numpy())
        parts["labels"].append(labels.numpy())
    return {key: np.concatenate(values) for key, values in parts.items()}


def main(argv: list[str] | None = None) -> Path:
    model_args, data_args, training_args = parse_args(
        HfArgumentParser((ModelArguments, DataTrainingArguments, XserTrainingArguments)),
        sys.argv[1:] if argv is None else argv,
        default_file=Path(__file__).resolve().parents[2] / "configs" / "demo.yaml",
    )
    output_dir = Path(training_args.output_dir)
    mixture = data_args.mixture(int(data_args.fold), training_args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() and not training_args.use_cpu else "cpu")
    model = AutoModelForAudioClassification.from_pretrained(output_dir).to(device).eval()
    collator = WaveformCollator(AutoFeatureExtractor.from_pretrained(output_dir), data_args.crop_seconds)
    arrays = {"label_names": np.array(mixture.train.features["label"].names)}
    for split, dataset in (("train", _unique(mixture.train)), ("validation", mixture.validation)):
        values = embed(
            model, dataset, collator, data_args.crop_seconds, training_args.per_device_eval_batch_size, device
        )
        arrays.update({f"{split}_{key}": value for key, value in values.items()})
    path = output_dir / EMBEDDINGS_FILE
    np.savez_compressed(path, **arrays)
    print(f"Embeddings written to {path}")
    return path


if __name__ == "__main__":
    main()
