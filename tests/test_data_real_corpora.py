"""The real corpora (HF_XSER_CORPORA): Table 1 counts, Table 2 folds, the paper's DEEN factors, cached loading.

Each corpus is prepared once per session (the `datasets` cache conftest sets up), so these tests and any later
ones loading the same corpora decode nothing again.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from dataset_scripts import _audio
from hf_xser.data import build_mixture, corpus_builder, load_corpus

pytestmark = pytest.mark.real_data

COUNTS = {  # Table 1 (CASIA: the 4-class part of the public release)
    "emodb": {"angry": 127, "happy": 71, "neutral": 79, "sad": 62},
    "ravdess": {"angry": 192, "happy": 192, "neutral": 96, "sad": 192},
    "casia": {"angry": 200, "happy": 200, "neutral": 200, "sad": 200},
}


@pytest.fixture(scope="module")
def corpora() -> dict[str, Path]:
    root = Path(os.environ["HF_XSER_CORPORA"])
    return {name: root / name for name in COUNTS}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_and_folds(corpora: dict[str, Path], name: str) -> None:
    dataset = load_corpus(name, corpora[name])
    names = dataset.features["label"].names
    assert {names[label]: n for label, n in Counter(dataset["label"]).items()} == COUNTS[name]
    assert len(set(dataset["utterance_id"])) == len(dataset)
    table = corpus_builder(name, corpora[name]).fold_table()
    assert set(dataset["speaker"]) == set(table.speakers)
    for fold in range(1, table.num_folds + 1):
        splits = load_corpus(name, corpora[name], fold=fold)
        expected = table.split(fold)
        speakers = {split: set(splits[split]["speaker"]) for split in splits}
        assert speakers == {split: set(expected[split]) for split in expected}
        assert sum(len(split) for split in splits.values()) == len(dataset)


def test_real_audio_is_16k_mono_float(corpora: dict[str, Path]) -> None:
    row = load_corpus("ravdess", corpora["ravdess"])[0]
    assert row["audio"]["sampling_rate"] == 16_000 and 1.0 < row["duration"] < 6.0
    assert len(row["audio"]["array"]) == round(row["duration"] * 16_000)


def test_deen_repeats_german_two_to_three_times(corpora: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in COUNTS:
        load_corpus(name, corpora[name])  # prepared (or already cached)
    monkeypatch.setattr(_audio, "decode_audio", lambda path, *a, **k: pytest.fail(f"decoded {path} again"))
    factors = {}
    for fold in range(1, 5):  # CASIA has 4 folds
        mixture = build_mixture(corpora, fold, ["de", "en"])
        factors[fold] = mixture.repeat_factors["de"]
        assert mixture.settings == {"de": "within", "en": "within", "zh": "cross"}
    assert factors == {1: 3, 2: 2, 3: 2, 4: 2}  # ceil(420/189), ceil(392/205), ceil(392/231), ceil(392/207)
