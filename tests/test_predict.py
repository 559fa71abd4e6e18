"""`hf-xser predict` on a saved tiny model: windows, aggregation, bad files, output formats, pipeline equality."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
from transformers import pipeline

from hf_xser import Wav2Vec2ForWCCNClassification, Wav2Vec2WCCNConfig
from hf_xser.cli import main
from hf_xser.data import decode_audio
from hf_xser.inference import collect_inputs, window_bounds
from hf_xser.training.demo import tiny_backbone_config
from hf_xser.training.model_setup import default_feature_extractor

LABELS = ["angry", "happy", "neutral", "sad"]
RATE = 16_000


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("model")
    fields = {k: v for k, v in tiny_backbone_config().to_dict().items() if k not in ("model_type", "architectures")}
    fields.update(id2label=dict(enumerate(LABELS)), label2id={label: i for i, label in enumerate(LABELS)})
    config = Wav2Vec2WCCNConfig(**fields)
    Wav2Vec2ForWCCNClassification(config).save_pretrained(folder)
    default_feature_extractor().save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def audio_folder(tmp_path_factory) -> Path:
    """A 60 s recording, a 2.5 s stereo 44.1 kHz one, a 0.7 s one (in a sub-folder) and a corrupt WAV."""
    folder = tmp_path_factory.mktemp("audio")
    rng = np.random.default_rng(0)
    soundfile.write(folder / "long.wav", 0.1 * rng.standard_normal(60 * RATE), RATE)
    soundfile.write(folder / "stereo.flac", 0.1 * rng.standard_normal((110_250, 2)), 44_100)
    (folder / "sub").mkdir()
    soundfile.write(folder / "sub" / "short.wav", 0.1 * rng.standard_normal(11_200), RATE)
    (folder / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio")
    (folder / "notes.txt").write_text("not audio, not picked up")
    return folder


def test_window_bounds():
    assert len(window_bounds(60 * RATE, 2 * RATE, RATE)) == 59
    assert window_bounds(5000, 32000, 16000) == [(0, 5000)]
    # The last window ends at the end even when the hop does not land there.
    assert window_bounds(40000, 32000, 16000) == [(0, 32000), (8000, 40000)]


def test_collect_inputs_reads_folders_and_manifests(audio_folder, tmp_path):
    names = [path.name for path in collect_inputs([audio_folder])]
    assert names == ["broken.wav", "long.wav", "stereo.flac", "short.wav"]
    manifest = audio_folder / "list.tsv"
    manifest.write_text("path\tlabel\nsub/short.wav\tsad\nlong.wav\thappy\n")
    assert collect_inputs([manifest]) == [audio_folder / "sub" / "short.wav", audio_folder / "long.wav"]
    manifest.unlink()


def test_predict_folder_matches_the_pipeline(saved_model, audio_folder, tmp_path, capsys):
    output = tmp_path / "scores.json"
    status = main(["predict", str(saved_model), str(audio_folder), "--output", str(output), "--device", "cpu"])
    assert status == 1  # one file failed, the others were scored
    assert "broken.wav" in capsys.readouterr().err
    report = json.loads(output.read_text())
    files = {Path(record["path"]).name: record for record in report["files"]}
    assert files["broken.wav"]["error"] and files["broken.wav"]["label"] is None
    long, short = files["long.wav"], files["short.wav"]
    assert long["error"] is None and len(long["windows"]) == 59
    assert len(short["windows"]) == 1 and short["windows"][0]["end"] == pytest.approx(0.7)
    assert len(files["stereo.flac"]["windows"]) == 2

    # Each window scores as the pipeline scores that window; a file scores the mean of its windows.
    classifier = pipeline("audio-classification", model=str(saved_model), device="cpu")
    for name, indices in (("long.wav", (0, 30, 58)), ("stereo.flac", (0, 1)), ("short.wav", (0,))):
        waveform = decode_audio(files[name]["path"])
        for index in indices:
            window = files[name]["windows"][index]
            start, end = round(window["start"] * RATE), round(window["end"] * RATE)
            expected = {item["label"]: item["score"] for item in classifier(waveform[start:end], top_k=None)}
            for label in LABELS:
                assert window["probabilities"][label] == pytest.approx(expected[label], abs=1e-5)
    mean = np.mean([[w["probabilities"][label] for label in LABELS] for w in long["windows"]], axis=0)
    np.testing.assert_allclose([long["probabilities"][label] for label in LABELS], mean, atol=1e-6)
    assert long["label"] == LABELS[int(np.argmax(mean))]


def test_csv_output_and_bf16(saved_model, audio_folder, tmp_path):
    output = tmp_path / "scores.csv"
    args = ["predict", str(saved_model), str(audio_folder / "sub"), str(audio_folder / "broken.wav")]
    assert main([*args, "--output", str(output), "--device", "cpu", "--bf16", "--batch-size", "3"]) == 1
    with open(output, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["path", "window", "start", "end", "label", *LABELS, "error"]
    short_rows = [row for row in rows if row["path"].endswith("short.wav")]
    assert [row["window"] for row in short_rows] == ["all", "0"]
    assert sum(float(short_rows[0][label]) for label in LABELS) == pytest.approx(1, abs=1e-4)
    (broken,) = [row for row in rows if row["path"].endswith("broken.wav")]
    assert broken["error"] and not broken["label"]
