"""Decoding: any file libsndfile reads (WAV of any bit depth, FLAC, ...) -> 16 kHz mono float32.

The one place audio is decoded. Builders call it while preparing, so the Arrow cache holds decoded audio and
a second load decodes nothing; `hf_xser.data` re-exports it for single files.
"""

from __future__ import annotations

import os
import re

import numpy as np
import soundfile as sf
import soxr

SAMPLING_RATE = 16_000

# libsndfile reads a truncated WAV without error, returning the samples that are there; its header log is the
# only trace ("data : 32000 (should be 15978)").
_TRUNCATED = re.compile(r"^data\s*:\s*\d+\s*\(should be", re.MULTILINE)


class InvalidCorpusError(ValueError):
    """A corpus folder that cannot be read as the corpus it should be (missing, empty, wrong layout)."""


class InvalidFileError(InvalidCorpusError):
    """One file of a corpus that cannot be used; `path` and `reason` say which and why."""

    def __init__(self, path: str | os.PathLike, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def decode_audio(path: str | os.PathLike, sampling_rate: int = SAMPLING_RATE) -> np.ndarray:
    """Read `path` and return its samples at `sampling_rate` Hz, mono (channels averaged), float32 in [-1, 1].

    Raises:
        InvalidFileError: the file is missing or unreadable, empty, truncated or not audio.
    """
    if not os.path.exists(path):
        raise InvalidFileError(path, "unreadable: no such file (or a broken link)")
    if os.path.isfile(path) and os.path.getsize(path) == 0:
        raise InvalidFileError(path, "zero-length file")
    try:
        with sf.SoundFile(path) as handle:
            if _TRUNCATED.search(handle.extra_info):
                raise InvalidFileError(path, "truncated audio file (the header announces more data than it holds)")
            samples = handle.read(dtype="float32", always_2d=True)
            native_rate = handle.samplerate
    except sf.LibsndfileError as error:
        reason = "not an audio file libsndfile can read" if "Format not recognised" in str(error) else "unreadable"
        raise InvalidFileError(path, f"{reason} ({error.error_string})") from error
    except OSError as error:
        raise InvalidFileError(path, f"unreadable ({error.strerror or error})") from error
    if samples.shape[0] == 0:
        raise InvalidFileError(path, "holds no audio samples")
    mono = samples.mean(axis=1) if samples.shape[1] > 1 else samples[:, 0]
    if native_rate != sampling_rate:
        mono = soxr.resample(mono, native_rate, sampling_rate, quality="HQ")
    return np.ascontiguousarray(mono, dtype=np.float32)
