"""Data loader throughput vs the training step's consumption, in utterances per second.

Run by hand: `OMP_NUM_THREADS=1 python benchmarks/bench_loader.py [--pairs 5]`. The loader is the training one,
`CroppedWaveforms` (random 2 s crops) + `WaveformCollator` (normalisation, padding, attention mask, and the auxiliary
task's masks and negatives, drawn here rather than in the step), over an in-memory dataset of 2-3 s clips, batch 14,
in this process (`num_workers=0`: one core; each extra worker adds about as much). The consumer is one training step
(forward + backward + Adagrad) of the base-size model with alpha = 8e-4 on the loader's batches. Loader batches and
training steps alternate.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from _common import base_config, interleaved, threads_line
from datasets import Dataset

from hf_xser import Wav2Vec2ForWCCNClassification
from hf_xser.data.collator import CroppedWaveforms, WaveformCollator
from hf_xser.training.model_setup import default_feature_extractor

BATCH_SIZE = 14


def synthetic_dataset(size: int = 280) -> Dataset:
    rng = np.random.default_rng(0)
    clips = [rng.standard_normal(rng.integers(32_000, 48_001)).astype(np.float32) for _ in range(size)]
    audio = [{"array": clip, "sampling_rate": 16_000} for clip in clips]
    return Dataset.from_dict({"audio": audio, "label": [i % 4 for i in range(size)]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()
    torch.manual_seed(0)
    model = Wav2Vec2ForWCCNClassification(base_config(aux_loss_weight=8e-4)).train()
    loader = torch.utils.data.DataLoader(
        CroppedWaveforms(synthetic_dataset(), crop_seconds=2.0, random_crop=True),
        batch_size=BATCH_SIZE,
        shuffle=True,
        collate_fn=WaveformCollator(default_feature_extractor(), 2.0, contrastive_config=model.config),
    )
    batches = iter(())
    last = {}

    def next_batch() -> None:
        nonlocal batches
        try:
            last["batch"] = next(batches)
        except StopIteration:
            batches = iter(loader)
            last["batch"] = next(batches)

    optimizer = torch.optim.Adagrad(model.parameters(), lr=3e-4)

    def train_step() -> None:
        model(**last["batch"]).loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    next_batch()
    load, step, ratio = interleaved(next_batch, train_step, args.pairs)
    print(f"{threads_line()}; batch {BATCH_SIZE} x 2 s crops of 2-3 s clips; base-size model, alpha=8e-4")
    print(
        f"loader {BATCH_SIZE / load:.0f} utt/s ({load * 1e3:.1f} ms/batch, one process); "
        f"training step {BATCH_SIZE / step:.2f} utt/s ({step:.2f} s/step); loader / consumption = {ratio:.0f}x "
        "(target >= 5x)"
    )


if __name__ == "__main__":
    main()
