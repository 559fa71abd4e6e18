"""RAVDESS builder: `Actor_12/03-01-05-01-02-01-12.wav` = modality 03 (audio only), vocal channel 01 (speech),
emotion 05 (angry), intensity 01, statement 02, repetition 01, actor 12.

Song files (vocal channel 02) and the video files (.mp4) of the full release are ignored.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from .._audio import InvalidFileError
from .._common import EmotionConfig, EmotionCorpusBuilder, Utterance, fold_configs

_NAME = re.compile(r"^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)\.wav$", re.IGNORECASE)
_EMOTIONS = {
    "01": "neutral", "02": "calm", "03": "happy", "04": "sad",
    "05": "angry", "06": "fear", "07": "disgust", "08": "surprise",
}  # fmt: skip
_SPEECH, _SONG = "01", "02"

_CITATION = """\
@article{livingstone2018ryerson,
  title={The Ryerson Audio-Visual Database of Emotional Speech and Song (RAVDESS): A dynamic, multimodal set of
         facial and vocal expressions in North American English},
  author={Livingstone, Steven R and Russo, Frank A},
  journal={PLoS ONE},
  volume={13},
  number={5},
  pages={e0196391},
  year={2018}
}
"""


class Ravdess(EmotionCorpusBuilder):
    """RAVDESS speech: 24 actors (odd male, even female), 2 statements, 8 emotions, 1440 utterances (48 kHz)."""

    VERSION = "1.0.0"
    BUILDER_CONFIGS = fold_configs(EmotionConfig, num_folds=5)
    TITLE = "RAVDESS"
    EXAMPLE_PATH = "Actor_12/03-01-05-01-02-01-12.wav"
    NATIVE_LABELS = ("angry", "happy", "neutral", "sad", "calm", "fear", "disgust", "surprise")
    FOLDS_FILE = Path(__file__).with_name("folds.json")
    DESCRIPTION = "RAVDESS speech: North American English acted emotional speech (speech files only), speaker folds."
    HOMEPAGE = "https://zenodo.org/record/1188976"
    LICENSE = "cc-by-nc-sa-4.0"
    CITATION = _CITATION

    @property
    def language(self) -> str:
        return "en"

    def _parse(self, path: Path, relative: PurePosixPath) -> Utterance | None:
        match = _NAME.match(relative.name)
        if match is None:
            raise InvalidFileError(
                path, f"unexpected file name for {self.TITLE} (expected e.g. 03-01-05-01-02-01-12.wav)"
            )
        modality, channel, emotion, intensity, statement, repetition, actor = match.groups()
        if channel == _SONG:
            return None
        if modality != "03" or channel != _SPEECH:
            reason = f"modality {modality} / vocal channel {channel}: a RAVDESS audio file has modality 03, channel 01"
            raise InvalidFileError(path, reason)
        if emotion not in _EMOTIONS:
            raise InvalidFileError(path, f"unknown emotion code {emotion!r} (known: {', '.join(_EMOTIONS)})")
        if intensity not in ("01", "02") or statement not in ("01", "02") or repetition not in ("01", "02"):
            raise InvalidFileError(path, "unexpected file name: intensity, statement and repetition are 01 or 02")
        return Utterance(str(path), relative.stem, actor, _EMOTIONS[emotion])
