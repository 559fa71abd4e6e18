"""Offline demo corpora: synthetic speech-like audio in the real corpora's layouts and file names.

Each clip is a glottal pulse train (sawtooth, spectral tilt from a one-pole low-pass) through three formant
resonators, cut into syllables with a consonant noise burst each. The emotion sets the prosody the same way in
every language (pitch level and range, speaking rate, energy, spectral tilt), so a classifier trained on some
"languages" can transfer to another; the speaker sets the voice (pitch, formant scale, tempo) and the language the
rhythm, intonation (declination vs. syllable tones) and vowels. Files are written with the names and folders the
builders expect, so `load_corpus` reads the demo exactly as it reads the real corpora.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import lfilter


@dataclass(frozen=True)
class Prosody:
    pitch: float  # x the speaker's base f0
    pitch_range: float  # x the language's intonation excursion
    rate: float  # x syllables per second
    energy: float  # x loudness
    tilt: float  # one-pole low-pass coefficient on the source: larger = steeper tilt, darker voice


PROSODY = {
    "angry": Prosody(pitch=1.30, pitch_range=1.5, rate=1.20, energy=1.8, tilt=0.45),
    "happy": Prosody(pitch=1.25, pitch_range=1.9, rate=1.10, energy=1.3, tilt=0.65),
    "neutral": Prosody(pitch=1.00, pitch_range=1.0, rate=1.00, energy=1.0, tilt=0.80),
    "sad": Prosody(pitch=0.88, pitch_range=0.5, rate=0.72, energy=0.55, tilt=0.92),
}
_VOWELS = {  # F1, F2, F3 (Hz) of an adult male voice
    "a": (730, 1090, 2440), "e": (530, 1840, 2480), "i": (270, 2290, 3010),
    "o": (570, 840, 2410), "u": (300, 870, 2240), "y": (250, 1750, 2150),
}  # fmt: skip
_LANGUAGES = {  # syllables per second, tonal, vowel inventory
    "de": (4.6, False, "aeiouy"),
    "en": (5.2, False, "aeiou"),
    "zh": (4.2, True, "aiu"),
}
_SUBSETS = ("train", "evaluation", "test")
_EMODB_LETTERS = {"angry": "W", "happy": "F", "neutral": "N", "sad": "T"}
_EMODB_TEXTS = ("a01", "a02", "a04", "a05", "a07", "b01", "b02", "b03", "b09", "b10")
_EMODB_MALE = ("03", "10", "11", "12", "15")
_RAVDESS_CODES = {"angry": "05", "happy": "03", "neutral": "01", "sad": "04"}
_ESD_FOLDERS = {"angry": "Angry", "happy": "Happy", "neutral": "Neutral", "sad": "Sad"}
_ESD_FIRST_ID = {"neutral": 1, "angry": 351, "happy": 701, "sad": 1051}  # the official id blocks
_ESD_MANDARIN = {"angry": "生气", "happy": "快乐", "neutral": "中立", "sad": "伤心"}  # transcript emotion words
_CASIA_SPEAKERS = {"liuchanhg": False, "wangzhe": True, "zhaoquanyin": False, "ZhaoZuoxiang": True}  # name -> male


def _rng(seed: int, *keys: str) -> np.random.Generator:
    # Seeded per file by name, so a clip does not depend on which other corpora or sizes are generated.
    return np.random.default_rng([seed, zlib.crc32("/".join(keys).encode())])


def _resonator(frequency: float, bandwidth: float, rate: int) -> tuple[np.ndarray, np.ndarray]:
    radius = np.exp(-np.pi * bandwidth / rate)
    theta = 2 * np.pi * frequency / rate
    return np.array([1 - radius]), np.array([1, -2 * radius * np.cos(theta), radius**2])


def synthesize(
    emotion: str,
    language: str,
    voice: tuple[float, float, float],
    duration: float,
    rng: np.random.Generator,
    rate: int = 16_000,
) -> np.ndarray:
    """One clip: `voice` = (base f0 in Hz, formant scale, tempo scale)."""
    prosody = PROSODY[emotion]
    syllable_rate, tonal, vowels = _LANGUAGES[language]
    base_f0, formant_scale, tempo = voice
    samples = int(duration * rate)
    f0 = np.full(samples, base_f0 * prosody.pitch)
    envelope = np.zeros(samples)
    pieces: list[tuple[int, int, str]] = []
    position = int(rate * rng.uniform(0.05, 0.12))
    while position < samples - int(0.1 * rate):
        length = int(rate / (syllable_rate * prosody.rate * tempo) * rng.uniform(0.75, 1.25))
        stop = min(position + length, samples - int(0.05 * rate))
        pieces.append((position, stop, str(rng.choice(list(vowels)))))
        position = stop + int(rate * rng.uniform(0.01, 0.05) / prosody.rate)
    excursion = 0.12 * prosody.pitch_range
    for index, (start, stop, _) in enumerate(pieces):
        t = np.linspace(0, 1, stop - start)
        if tonal:  # syllable tones: level, rising, dipping, falling
            shape = [np.zeros_like(t), t - 0.5, 4 * (t - 0.5) ** 2 - 0.5, 0.5 - t][rng.integers(4)]
        else:  # declination over the utterance, a rise-fall accent on some syllables
            shape = 0.5 - index / max(len(pieces) - 1, 1) + (rng.random() < 0.35) * np.sin(np.pi * t)
        f0[start:stop] *= 1 + excursion * shape
        onset = max(1, (stop - start) // 8)
        envelope[start:stop] = np.minimum(1, np.minimum(t * (stop - start) / onset, (1 - t) * 4 + 0.05))
    f0 *= 1 + 0.01 * np.sin(2 * np.pi * 5.5 * np.arange(samples) / rate)  # vibrato-like jitter
    phase = np.cumsum(f0 / rate)
    source = lfilter([1 - prosody.tilt], [1, -prosody.tilt], (phase % 1.0) - 0.5)
    source += 0.02 * rng.standard_normal(samples)
    signal = np.zeros(samples)
    for start, stop, vowel in pieces:
        voiced = source[start:stop]
        for formant, bandwidth in zip(_VOWELS[vowel], (80, 100, 140)):
            b, a = _resonator(formant * formant_scale, bandwidth, rate)
            voiced = lfilter(b, a, voiced)
        burst = min(stop - start, int(0.03 * rate))
        consonant = np.zeros(stop - start)
        consonant[:burst] = np.diff(rng.standard_normal(burst + 1)) * np.hanning(burst) * 0.3
        signal[start:stop] = voiced / (np.abs(voiced).max() + 1e-9) + consonant
    signal *= envelope
    signal *= 0.08 * prosody.energy / (np.sqrt(np.mean(signal**2)) + 1e-9)
    signal += 1e-4 * rng.standard_normal(samples)
    return np.clip(signal, -0.99, 0.99).astype(np.float32)


def _voice(rng: np.random.Generator, male: bool) -> tuple[float, float, float]:
    base = (115.0 if male else 210.0) * rng.uniform(0.9, 1.1)
    return base, (1.0 if male else 1.15) * rng.uniform(0.95, 1.05), rng.uniform(0.9, 1.1)


def _write(path: Path, audio: np.ndarray, rate: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, audio, rate, subtype="PCM_16")


def _emodb(root: Path, seed: int, per_class: int, duration: float, rate: int) -> None:
    for speaker in ("03", "08", "09", "10", "11", "12", "13", "14", "15", "16"):
        voice = _voice(_rng(seed, "emodb", speaker), speaker in _EMODB_MALE)
        for emotion, letter in _EMODB_LETTERS.items():
            for text in _EMODB_TEXTS[:per_class]:
                name = f"{speaker}{text}{letter}a.wav"
                clip = synthesize(emotion, "de", voice, duration, _rng(seed, "emodb", name), rate)
                _write(root / "wav" / name, clip, rate)


def _ravdess(root: Path, seed: int, per_class: int, duration: float, rate: int) -> None:
    for actor in range(1, 25):
        voice = _voice(_rng(seed, "ravdess", str(actor)), actor % 2 == 1)
        for emotion, code in _RAVDESS_CODES.items():
            # (intensity, statement, repetition); neutral has normal intensity only, as in RAVDESS.
            combos = [(i, s, r) for i in ("01", "02") for s in ("01", "02") for r in ("01", "02")]
            combos = [c for c in combos if emotion != "neutral" or c[0] == "01"]
            for intensity, statement, repetition in combos[:per_class]:
                name = f"03-01-{code}-{intensity}-{statement}-{repetition}-{actor:02d}.wav"
                clip = synthesize(emotion, "en", voice, duration, _rng(seed, "ravdess", name), rate)
                _write(root / f"Actor_{actor:02d}" / name, clip, rate)


def _esd(
    root: Path, seed: int, per_class: int, duration: float, rate: int, languages: Sequence[str], subsets: bool
) -> None:
    for language in languages:
        first = {"zh": 1, "en": 11}[language]
        for number in range(first, first + 10):
            speaker = f"{number:04d}"
            voice = _voice(_rng(seed, "esd", speaker), number % 2 == 0)
            lines = []
            for emotion, folder in _ESD_FOLDERS.items():
                for index in range(per_class):
                    utterance = f"{speaker}_{_ESD_FIRST_ID[emotion] + index:06d}"
                    subset = root / speaker / folder / (_SUBSETS[index % 3] if subsets else "")
                    clip = synthesize(emotion, language, voice, duration, _rng(seed, "esd", utterance), rate)
                    _write(subset / f"{utterance}.wav", clip, rate)
                    label = _ESD_MANDARIN[emotion] if language == "zh" else folder
                    lines.append(f"{utterance}\tdemo sentence {index + 1}\t{label}\n")
            (root / speaker / f"{speaker}.txt").write_text("".join(sorted(lines)), encoding="utf-8")


def _casia(root: Path, seed: int, per_class: int, duration: float, rate: int) -> None:
    for speaker, male in _CASIA_SPEAKERS.items():
        voice = _voice(_rng(seed, "casia", speaker), male)
        for emotion in PROSODY:
            for sentence in range(201, 201 + per_class):
                clip = synthesize(
                    emotion, "zh", voice, duration, _rng(seed, "casia", speaker, emotion, str(sentence)), rate
                )
                _write(root / speaker / emotion / f"{sentence}.wav", clip, rate)


def generate_demo_corpora(
    root: str | os.PathLike,
    seed: int = 0,
    *,
    corpora: Sequence[str] = ("emodb", "ravdess", "esd"),
    utterances_per_class: int = 3,
    duration: float = 1.5,
    sampling_rate: int = 16_000,
    esd_languages: Sequence[str] = ("zh",),
    esd_subsets: bool = True,
) -> dict[str, Path]:
    """Write small synthetic corpora under `root`, each in its real layout; return {name: folder}.

    Args:
        root: output folder (created); each corpus goes to `root/<name>`.
        seed: every clip is a deterministic function of the seed and its file name.
        corpora: any of `emodb`, `ravdess`, `esd`, `casia` (4 classes each; every speaker of the fold tables).
        utterances_per_class: per speaker and class (at most 10 for Emo-DB, 4 for RAVDESS' neutral, 8 otherwise).
        duration: seconds per clip.
        sampling_rate: of the written files.
        esd_languages: `zh` (speakers 0001-0010) and / or `en` (0011-0020).
        esd_subsets: write ESD into the official train/evaluation/test sub-folders (cycling), or straight under
            the emotion folders.
    """
    limits = {"emodb": len(_EMODB_TEXTS), "ravdess": 4, "esd": 350, "casia": 50}
    writers = {
        "emodb": _emodb,
        "ravdess": _ravdess,
        "casia": _casia,
        "esd": lambda *args: _esd(*args, languages=esd_languages, subsets=esd_subsets),
    }
    folders = {}
    for name in corpora:
        if name not in writers:
            raise ValueError(f"no demo for corpus {name!r}; choose from {sorted(writers)}")
        if not 1 <= utterances_per_class <= limits[name]:
            raise ValueError(f"{name}: utterances_per_class must be 1..{limits[name]}, got {utterances_per_class}")
        folders[name] = Path(root) / name
        writers[name](folders[name], seed, utterances_per_class, duration, sampling_rate)
    return folders
