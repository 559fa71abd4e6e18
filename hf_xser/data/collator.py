"""Waveform cropping and batching for training and evaluation (paper §4.1.4).

Waveforms come decoded at 16 kHz from the corpus cache, so nothing is decoded in the training loop. Training
takes a random crop of `crop_seconds` (shorter waveforms are zero-padded), evaluation the centre crop, so a
test set scores the same every time. Normalisation to zero mean and unit variance over the valid samples,
padding and the attention mask come from the backbone's `Wav2Vec2FeatureExtractor`, so
`pipeline("audio-classification")` given the same crop sees exactly what the model saw.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from datasets import Dataset
from transformers import PreTrainedConfig, Wav2Vec2FeatureExtractor

from ..models.modeling_wav2vec2_wccn import sample_contrastive_indices

SAMPLING_RATE = 16_000


def crop(waveform: np.ndarray, num_samples: int, random: bool) -> np.ndarray:
    """A `num_samples` window of `waveform`: at a random offset or at the centre.

    The offset is drawn from torch's RNG, which the Trainer seeds and restores on resume, so a resumed run
    crops as the uninterrupted one did. Shorter waveforms are returned whole; the collator pads them.
    """
    excess = len(waveform) - num_samples
    if excess <= 0:
        return waveform
    start = int(torch.randint(excess + 1, ())) if random else excess // 2
    return waveform[start : start + num_samples]


class CroppedWaveforms(torch.utils.data.Dataset):
    """A corpus split as `{"input_values": cropped waveform, "labels": class id}` items."""

    def __init__(self, dataset: Dataset, crop_seconds: float, random_crop: bool) -> None:
        self.dataset = dataset.with_format("numpy", columns=["audio", "label"])
        self.num_samples = round(crop_seconds * SAMPLING_RATE)
        self.random_crop = random_crop

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> dict:
        example = self.dataset[index]
        waveform = np.asarray(example["audio"]["array"], dtype=np.float32)
        return {"input_values": crop(waveform, self.num_samples, self.random_crop), "labels": int(example["label"])}


class WaveformCollator:
    """Normalises, zero-pads to the crop length and stacks a list of `CroppedWaveforms` items.

    With `contrastive_config` (the model's config, when its auxiliary loss is on), each batch also carries the
    wav2vec 2.0 task's `mask_time_indices` and `sampled_negative_indices`, drawn here in the loader workers so the
    training step neither draws them nor waits for the host.
    """

    def __init__(
        self,
        feature_extractor: Wav2Vec2FeatureExtractor,
        crop_seconds: float,
        contrastive_config: PreTrainedConfig | None = None,
    ) -> None:
        if not feature_extractor.return_attention_mask:
            raise ValueError("the feature extractor must return an attention mask (return_attention_mask=True)")
        self.feature_extractor = feature_extractor
        self.num_samples = round(crop_seconds * SAMPLING_RATE)
        self.contrastive_config = contrastive_config

    def __call__(self, items: Sequence[dict]) -> dict[str, torch.Tensor]:
        batch = self.feature_extractor(
            [item["input_values"] for item in items],
            sampling_rate=SAMPLING_RATE,
            padding="max_length",
            max_length=self.num_samples,
            return_attention_mask=True,
            return_tensors="pt",
        )
        batch["labels"] = torch.tensor([item["labels"] for item in items], dtype=torch.long)
        if self.contrastive_config is not None:
            batch["mask_time_indices"], batch["sampled_negative_indices"] = sample_contrastive_indices(
                self.contrastive_config, batch["attention_mask"]
            )
        return dict(batch)
