"""load_corpus: folds from the one prepared `all` copy, decoded once and cached; a changed corpus is re-read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from datasets import Dataset, DatasetDict

from dataset_scripts import _audio
from hf_xser.data import LABELS, load_corpus
from hf_xser.data.synthetic import generate_demo_corpora


@pytest.fixture(scope="module")
def emodb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo_corpora(tmp_path_factory.mktemp("demo"), corpora=["emodb"], utterances_per_class=1,
                                 duration=0.2)["emodb"]  # fmt: skip


def _refuse_to_decode(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path, *args, **kwargs):
        raise AssertionError(f"decoded {path} again")

    monkeypatch.setattr(_audio, "decode_audio", refuse)


def test_fold_gives_speaker_splits_with_the_contract_columns(emodb: Path, tmp_path: Path) -> None:
    splits = load_corpus("emodb", emodb, fold=2, cache_dir=str(tmp_path))
    assert isinstance(splits, DatasetDict) and list(splits) == ["train", "validation", "test"]
    assert sorted(set(splits["test"]["speaker"])) == ["13", "14"] and len(splits["test"]) == 8
    row = splits["train"][0]
    assert set(row) == {"audio", "label", "speaker", "language", "corpus", "utterance_id", "duration"}
    assert set(row["audio"]) == {"array", "sampling_rate", "path"} and row["audio"]["sampling_rate"] == 16_000
    assert splits["train"].features["label"].names == list(LABELS)
    everything = load_corpus("emodb", emodb, cache_dir=str(tmp_path))
    assert isinstance(everything, Dataset) and len(everything) == 40
    assert len(set(everything["utterance_id"])) == 40


def test_second_load_does_no_decoding(emodb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_corpus("emodb", emodb, fold=1, cache_dir=str(tmp_path))
    _refuse_to_decode(monkeypatch)
    for fold in (1, 3, 5):  # every fold comes from the one prepared copy
        again = load_corpus("emodb", emodb, fold=fold, cache_dir=str(tmp_path))
        assert sum(len(split) for split in again.values()) == 40
    assert again["test"]["speaker"] != first["test"]["speaker"]
    assert (
        load_corpus("emodb", emodb, fold=1, cache_dir=str(tmp_path))["test"][0]["audio"]["array"]
        == (first["test"][0]["audio"]["array"])
    )


def test_changed_corpus_is_prepared_again(emodb: Path, tmp_path: Path) -> None:
    corpus = Path(shutil.copytree(emodb, tmp_path / "emodb"))
    assert len(load_corpus("emodb", corpus, cache_dir=str(tmp_path / "cache"))) == 40
    (corpus / "wav" / "03a01Fa.wav").unlink()
    assert len(load_corpus("emodb", corpus, cache_dir=str(tmp_path / "cache"))) == 39
