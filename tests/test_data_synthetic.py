"""The demo corpora: deterministic, in the real layouts, and with emotion cues that transfer across languages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from hf_xser.data.synthetic import generate_demo_corpora


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.wav"))}


def test_deterministic_by_seed(tmp_path: Path) -> None:
    options = {"corpora": ["emodb"], "utterances_per_class": 1, "duration": 0.3}
    first = _files(generate_demo_corpora(tmp_path / "a", seed=1, **options)["emodb"])
    again = _files(generate_demo_corpora(tmp_path / "b", seed=1, **options)["emodb"])
    other = _files(generate_demo_corpora(tmp_path / "c", seed=2, **options)["emodb"])
    assert first == again and first.keys() == other.keys() and first != other
    assert "wav/03a01Fa.wav" in first and len(first) == 40


def test_default_size_and_layouts(tmp_path: Path) -> None:
    folders = generate_demo_corpora(tmp_path)
    assert {name: len(list(folder.rglob("*.wav"))) for name, folder in folders.items()} == {
        "emodb": 120,
        "ravdess": 288,
        "esd": 120,
    }
    assert (folders["ravdess"] / "Actor_24" / "03-01-05-01-01-01-24.wav").is_file()
    assert (folders["esd"] / "0010" / "Sad" / "test" / "0010_001053.wav").is_file()
    info = sf.info(folders["emodb"] / "wav" / "16a04Ta.wav")
    assert (info.samplerate, info.channels, info.duration) == (16_000, 1, 1.5)


def _features(path: Path) -> np.ndarray:
    """Loudness, spectral centroid (tilt) and voiced fraction (rate), crude and language-agnostic."""
    audio, rate = sf.read(path)
    spectrum = np.abs(np.fft.rfft(audio))
    centroid = (spectrum * np.fft.rfftfreq(len(audio), 1 / rate)).sum() / spectrum.sum()
    frames = audio[: len(audio) // 400 * 400].reshape(-1, 400)
    energy = np.sqrt((frames**2).mean(axis=1))
    return np.array([np.log(energy.mean()), centroid / 1000, (energy > 0.5 * energy.mean()).mean()])


def test_emotion_cues_transfer_across_languages(tmp_path: Path) -> None:
    folders = generate_demo_corpora(tmp_path, utterances_per_class=2, duration=1.0)
    letters = {"W": 0, "F": 1, "N": 2, "T": 3}
    codes = {"05": 0, "03": 1, "01": 2, "04": 3}
    folders_esd = {"Angry": 0, "Happy": 1, "Neutral": 2, "Sad": 3}
    train = [(_features(p), letters[p.name[5]]) for p in folders["emodb"].rglob("*.wav")]
    train += [(_features(p), codes[p.name[6:8]]) for p in folders["ravdess"].rglob("*.wav")]
    test = [(_features(p), folders_esd[p.parent.parent.name]) for p in folders["esd"].rglob("*.wav")]
    x, y = np.array([f for f, _ in train]), np.array([label for _, label in train])
    mean, std = x.mean(axis=0), x.std(axis=0)
    centroids = np.array([((x[y == k] - mean) / std).mean(axis=0) for k in range(4)])
    predictions = [np.argmin(((centroids - (f - mean) / std) ** 2).sum(axis=1)) for f, _ in test]
    accuracy = np.mean([p == label for p, (_, label) in zip(predictions, test)])
    assert accuracy > 0.5  # German + English -> Mandarin, 4 classes (chance 0.25)
