"""Cropping and batching: random crops in training, the centre at evaluation, the feature extractor's maths."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from datasets import ClassLabel, Dataset, Features, Sequence, Value

from hf_xser.data.collator import CroppedWaveforms, WaveformCollator, crop
from hf_xser.training.model_setup import default_feature_extractor


def _dataset(lengths: list[int]) -> Dataset:
    rng = np.random.default_rng(0)
    audio = [{"array": rng.normal(size=n).astype(np.float32) * 0.1 + 0.3, "sampling_rate": 16_000, "path": f"{i}.wav"}
             for i, n in enumerate(lengths)]  # fmt: skip
    features = Features(
        {
            "audio": {"array": Sequence(Value("float32")), "sampling_rate": Value("int32"), "path": Value("string")},
            "label": ClassLabel(names=["angry", "happy", "neutral", "sad"]),
        }
    )
    return Dataset.from_dict({"audio": audio, "label": [i % 4 for i in range(len(lengths))]}, features=features)


def test_centre_crop_is_the_middle() -> None:
    waveform = np.arange(10, dtype=np.float32)
    np.testing.assert_array_equal(crop(waveform, 4, random=False), [3, 4, 5, 6])
    np.testing.assert_array_equal(crop(waveform, 20, random=False), waveform)


def test_random_crops_cover_offsets_and_follow_torch_seed() -> None:
    waveform = np.arange(10, dtype=np.float32)
    torch.manual_seed(1)
    starts = [int(crop(waveform, 4, random=True)[0]) for _ in range(200)]
    assert set(starts) == set(range(7))  # every offset 0..6 is reachable
    torch.manual_seed(1)
    assert starts[:20] == [int(crop(waveform, 4, random=True)[0]) for _ in range(20)]


def test_batch_matches_feature_extractor_on_each_clip_alone() -> None:
    # a 1 s clip (padded) and a 3 s clip (cropped to 2 s): what the pipeline would see for each crop alone
    dataset = CroppedWaveforms(_dataset([16_000, 48_000]), crop_seconds=2.0, random_crop=False)
    extractor = default_feature_extractor()
    batch = WaveformCollator(extractor, crop_seconds=2.0)([dataset[0], dataset[1]])
    assert batch["input_values"].shape == (2, 32_000)
    assert batch["attention_mask"].sum(-1).tolist() == [16_000, 32_000]
    assert batch["labels"].tolist() == [0, 1]
    for row, item in enumerate((dataset[0], dataset[1])):
        alone = extractor(item["input_values"], sampling_rate=16_000, return_tensors="pt")["input_values"][0]
        torch.testing.assert_close(batch["input_values"][row, : len(alone)], alone)
        # float64 reference of the normalisation: zero mean, unit variance over the valid samples
        x = item["input_values"].astype(np.float64)
        expected = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
        np.testing.assert_allclose(batch["input_values"][row, : len(x)].numpy(), expected, atol=1e-5)
    assert torch.all(batch["input_values"][0, 16_000:] == 0)


def test_collator_needs_an_attention_mask() -> None:
    extractor = default_feature_extractor()
    extractor.return_attention_mask = False
    with pytest.raises(ValueError, match="attention mask"):
        WaveformCollator(extractor, crop_seconds=2.0)
