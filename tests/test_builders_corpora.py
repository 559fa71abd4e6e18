"""Each builder on a generated tree in its corpus' official layout: exact counts, labels, speakers, folds."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from dataset_scripts.casia import Casia
from dataset_scripts.emodb import EmoDB
from dataset_scripts.esd import Esd
from dataset_scripts.manifest import Manifest
from dataset_scripts.ravdess import Ravdess
from hf_xser.data import LABELS
from hf_xser.data.synthetic import generate_demo_corpora

SIZE = {"utterances_per_class": 2, "duration": 0.25}


def _prepare(builder_class, data_dir: Path, cache: Path, config: str = "all", **kwargs):
    builder = builder_class(config_name=config, data_dir=str(data_dir), cache_dir=str(cache), **kwargs)
    builder.download_and_prepare()
    return builder.as_dataset()


def _tone(path: Path, rate: int = 16_000, channels: int = 1) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tone = 0.1 * np.sin(np.arange(rate // 10) / 5)
    sf.write(path, np.stack([tone] * channels, axis=1) if channels > 1 else tone, rate)


def _labels(dataset) -> dict[str, int]:
    names = dataset.features["label"].names
    return {names[label]: count for label, count in sorted(Counter(dataset["label"]).items())}


def test_emodb_counts_labels_and_folds(tmp_path: Path) -> None:
    root = generate_demo_corpora(tmp_path, corpora=["emodb"], **SIZE)["emodb"]
    _tone(root / "wav" / "03a01Lb.wav")  # boredom: dropped in 4-class mode
    (root / "erkennung.txt").write_text("not audio")  # the official download's other files are ignored
    _tone(root / "wav" / "._03a01Fa.wav")  # macOS resource fork, hidden
    dataset = _prepare(EmoDB, root, tmp_path / "cache")["train"]
    assert len(dataset) == 10 * 4 * 2 and _labels(dataset) == dict.fromkeys(LABELS, 20)
    assert dataset.features["label"].names == list(LABELS)
    row = dataset[0]
    assert (row["speaker"], row["language"], row["corpus"], row["utterance_id"]) == ("03", "de", "emodb", "03a01Fa")
    assert row["audio"]["sampling_rate"] == 16_000 and row["duration"] == pytest.approx(0.25)
    everything = _prepare(EmoDB, root / "wav", tmp_path / "cache", classes="all")["train"]  # the wav/ folder itself
    assert len(everything) == 81 and _labels(everything)["boredom"] == 1
    assert everything.features["label"].names[:4] == list(LABELS)
    fold = _prepare(EmoDB, root, tmp_path / "cache", config="fold4")
    assert {split: sorted(set(fold[split]["speaker"])) for split in fold} == {
        "train": ["11", "12", "13", "14", "15", "16"],
        "validation": ["03", "08"],
        "test": ["09", "10"],
    }


def test_ravdess_reads_speech_only_any_rate_and_channels(tmp_path: Path) -> None:
    root = generate_demo_corpora(tmp_path, corpora=["ravdess"], **SIZE)["ravdess"]
    _tone(root / "Actor_01" / "03-02-05-01-01-01-01.wav")  # song: ignored
    (root / "Actor_01" / "01-01-05-01-01-01-01.mp4").write_bytes(b"video")  # video: ignored
    _tone(root / "Actor_02" / "03-01-02-01-01-01-02.wav", rate=48_000, channels=2)  # calm, 48 kHz stereo
    dataset = _prepare(Ravdess, root, tmp_path / "cache")["train"]
    assert len(dataset) == 24 * 4 * 2 and set(dataset["speaker"]) == {f"{a:02d}" for a in range(1, 25)}
    everything = _prepare(Ravdess, root, tmp_path / "cache", classes="all")["train"]
    calm = everything.filter(lambda row: row["utterance_id"] == "03-01-02-01-01-01-02")[0]
    assert calm["audio"]["sampling_rate"] == 16_000 and len(calm["audio"]["array"]) == 1_600
    assert everything.features["label"].names[calm["label"]] == "calm"
    fold = _prepare(Ravdess, root, tmp_path / "cache", config="fold1")
    assert sorted(set(fold["test"]["speaker"])) == ["21", "22", "23", "24"]
    assert len(fold["validation"]) == 5 * 8 and len(fold["train"]) == 15 * 8


@pytest.mark.parametrize("subsets", [True, False], ids=["with-subfolders", "flat"])
def test_esd_merges_official_subsets_and_resplits_by_speaker(tmp_path: Path, subsets: bool) -> None:
    size = {**SIZE, "utterances_per_class": 3}  # one utterance per train/evaluation/test sub-folder
    root = generate_demo_corpora(tmp_path, corpora=["esd"], esd_languages=["zh", "en"], esd_subsets=subsets, **size)
    root = root["esd"]
    assert (root / "0001" / "Angry" / "evaluation" / "0001_000352.wav").is_file() == subsets
    assert (root / "0001" / "0001.txt").is_file()
    _tone(root / "0003" / "Surprise" / ("test" if subsets else "") / "0003_001401.wav")
    dataset = _prepare(Esd, root, tmp_path / "cache")["train"]
    assert len(dataset) == 10 * 4 * 3 and _labels(dataset) == dict.fromkeys(LABELS, 30)
    assert set(dataset["language"]) == {"zh"} and "0001_000351" in dataset["utterance_id"]
    assert _labels(_prepare(Esd, root, tmp_path / "cache", classes="all")["train"])["surprise"] == 1
    fold = _prepare(Esd, root, tmp_path / "cache", config="fold1")
    assert {split: len(fold[split]) for split in fold} == {"train": 72, "validation": 24, "test": 24}
    assert sorted(set(fold["test"]["speaker"])) == ["0009", "0010"]
    english = _prepare(Esd, root, tmp_path / "cache", config="fold1", language="en")
    assert sorted(set(english["test"]["speaker"])) == ["0019", "0020"]
    assert set(english["train"]["language"]) == {"en"} and len(english["train"]) == 72


def test_casia_counts_and_four_folds(tmp_path: Path) -> None:
    root = generate_demo_corpora(tmp_path, corpora=["casia"], **SIZE)["casia"]
    _tone(root / "wangzhe" / "fear" / "201.wav")
    dataset = _prepare(Casia, root, tmp_path / "cache")["train"]
    assert len(dataset) == 4 * 4 * 2 and dataset.filter(lambda r: r["speaker"] == "liuchanhg").num_rows == 8
    assert "liuchanhg_angry_201" in dataset["utterance_id"]
    assert _labels(_prepare(Casia, root, tmp_path / "cache", classes="all")["train"])["fear"] == 1
    fold = _prepare(Casia, root, tmp_path / "cache", config="fold4")
    assert sorted(set(fold["train"]["speaker"])) == ["wangzhe", "zhaoquanyin"]
    assert set(fold["test"]["speaker"]) == {"ZhaoZuoxiang"}


def _manifest_tree(root: Path, separator: str = ",", language_column: bool = True) -> Path:
    rows = []
    for speaker in range(6):
        for index, label in enumerate(["anger", "joy", "neutral", "sad", "boredom"]):
            _tone(root / "audio" / f"s{speaker}_{index}.flac")
            rows.append([f"audio/s{speaker}_{index}.flac", label, f"s{speaker}"] + (["fr"] if language_column else []))
    header = ["path", "label", "speaker"] + (["language"] if language_column else [])
    manifest = root / ("corpus.tsv" if separator == "\t" else "corpus.csv")
    manifest.write_text("\n".join(separator.join(row) for row in [header, *rows]) + "\n")
    return manifest


def test_manifest_label_map_drops_and_counts(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    manifest = _manifest_tree(tmp_path / "corpus")
    with caplog.at_level(logging.INFO):
        dataset = _prepare(Manifest, manifest, tmp_path / "cache", label_map="joy=happy,ANGER=angry")["train"]
    assert len(dataset) == 24 and _labels(dataset) == dict.fromkeys(LABELS, 6)
    assert "6 utterances of classes outside" in caplog.text and "'boredom': 6" in caplog.text
    assert set(dataset["language"]) == {"fr"} and "audio/s0_0" in dataset["utterance_id"]
    everything = _prepare(Manifest, manifest.parent, tmp_path / "cache", classes="all", label_map={"joy": "happy"})
    assert everything["train"].features["label"].names == [*LABELS, "anger", "boredom"]


def test_manifest_tsv_language_option_and_grouped_folds(tmp_path: Path) -> None:
    manifest = _manifest_tree(tmp_path / "corpus", separator="\t", language_column=False)
    fold = _prepare(Manifest, manifest, tmp_path / "cache", config="all", fold=1, num_folds=3, language="it")
    assert set(fold["test"]["speaker"]) == {"s4", "s5"} and set(fold["validation"]["speaker"]) == {"s2", "s3"}
    assert set(fold["train"]["language"]) == {"it"}
