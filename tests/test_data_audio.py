"""Decoding: every bit depth, FLAC, stereo and any sample rate against a float64 reference; bad files named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from hf_xser.data import SAMPLING_RATE, InvalidFileError, decode_audio


def _reference(rate: int, seconds: float = 0.5, frequency: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return 0.5 * np.sin(2 * np.pi * frequency * t)


@pytest.mark.parametrize(
    ("suffix", "subtype", "tolerance"),
    [
        (".wav", "PCM_U8", 1 / 127),  # 8-bit WAV is unsigned
        (".wav", "PCM_16", 1 / 2**15),
        (".wav", "PCM_24", 1 / 2**23 + 1e-7),
        (".wav", "PCM_32", 1e-7),
        (".wav", "FLOAT", 1e-7),
        (".wav", "DOUBLE", 1e-7),
        (".flac", "PCM_16", 1 / 2**15),
        (".flac", "PCM_24", 1 / 2**23 + 1e-7),
    ],
)
def test_bit_depths_and_formats_match_reference(tmp_path: Path, suffix: str, subtype: str, tolerance: float) -> None:
    reference = _reference(SAMPLING_RATE)
    path = tmp_path / f"clip{suffix}"
    sf.write(path, reference, SAMPLING_RATE, subtype=subtype)
    decoded = decode_audio(path)
    assert decoded.dtype == np.float32 and decoded.shape == reference.shape
    np.testing.assert_allclose(decoded, reference, atol=tolerance)


def test_stereo_is_averaged(tmp_path: Path) -> None:
    left, right = _reference(SAMPLING_RATE, frequency=300), _reference(SAMPLING_RATE, frequency=700)
    sf.write(tmp_path / "stereo.wav", np.stack([left, right], axis=1), SAMPLING_RATE, subtype="FLOAT")
    np.testing.assert_allclose(decode_audio(tmp_path / "stereo.wav"), (left + right) / 2, atol=1e-6)


@pytest.mark.parametrize("rate", [8_000, 22_050, 44_100, 48_000])
def test_any_sample_rate_is_resampled_to_16k(tmp_path: Path, rate: int) -> None:
    sf.write(tmp_path / "clip.wav", _reference(rate), rate, subtype="FLOAT")
    decoded = decode_audio(tmp_path / "clip.wav")
    expected = _reference(SAMPLING_RATE)
    assert abs(len(decoded) - len(expected)) <= 1
    middle = slice(400, len(expected) - 400)  # away from the resampling filter's edges
    np.testing.assert_allclose(decoded[middle], expected[middle], atol=2e-3)


def test_stereo_48k_pcm16_like_the_official_ravdess(tmp_path: Path) -> None:
    tone = _reference(48_000)
    sf.write(tmp_path / "clip.wav", np.stack([tone, tone], axis=1), 48_000, subtype="PCM_16")
    decoded = decode_audio(tmp_path / "clip.wav")
    np.testing.assert_allclose(decoded[400:-400], _reference(SAMPLING_RATE)[400:-400], atol=2e-3)


def _zero_length(folder: Path) -> Path:
    (folder / "empty.wav").write_bytes(b"")
    return folder / "empty.wav"


def _text(folder: Path) -> Path:
    (folder / "text.wav").write_text("not audio at all, " * 20)
    return folder / "text.wav"


def _truncated(folder: Path, name: str) -> Path:
    path = folder / name
    sf.write(path, _reference(SAMPLING_RATE), SAMPLING_RATE, subtype="PCM_16")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _broken_link(folder: Path) -> Path:
    (folder / "link.wav").symlink_to(folder / "nowhere.wav")
    return folder / "link.wav"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_zero_length, "empty.wav: zero-length file"),
        (_text, "text.wav: not an audio file"),
        (lambda folder: _truncated(folder, "cut.wav"), "cut.wav: truncated audio file"),
        (lambda folder: _truncated(folder, "cut.flac"), "cut.flac: unreadable"),
        (_broken_link, "link.wav: unreadable"),
    ],
    ids=["zero-length", "non-audio", "truncated-wav", "truncated-flac", "broken-link"],
)
def test_bad_files_are_named_with_the_reason(tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path)
    with pytest.raises(InvalidFileError, match=message) as excinfo:
        decode_audio(path)
    assert excinfo.value.path == str(path)


def test_header_without_samples_is_an_error(tmp_path: Path) -> None:
    sf.write(tmp_path / "silent.wav", np.zeros(0), SAMPLING_RATE)
    with pytest.raises(InvalidFileError, match="silent.wav: holds no audio samples"):
        decode_audio(tmp_path / "silent.wav")
