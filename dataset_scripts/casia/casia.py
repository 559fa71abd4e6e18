"""CASIA builder: `<speaker>/<emotion>/NNN.wav`, e.g. `liuchanhg/angry/201.wav` (sentence 201)."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from .._audio import InvalidFileError
from .._common import EmotionConfig, EmotionCorpusBuilder, Utterance, fold_configs

_NAME = re.compile(r"^\d{3}\.wav$", re.IGNORECASE)
_EMOTIONS = ("angry", "happy", "neutral", "sad", "fear", "surprise")

_CITATION = """\
@inproceedings{tao2008design,
  title={Design of speech corpus for Mandarin text to speech},
  author={Tao, Jianhua and Liu, Fangzhou and Zhang, Meng and Jia, Huibin},
  booktitle={The Blizzard Challenge 2008 workshop},
  year={2008}
}
"""


class Casia(EmotionCorpusBuilder):
    """CASIA public release: 4 speakers, 6 emotions, 50 sentences each (1200 utterances, 16 kHz)."""

    VERSION = "1.0.0"
    BUILDER_CONFIGS = fold_configs(EmotionConfig, num_folds=4)
    TITLE = "CASIA"
    EXAMPLE_PATH = "liuchanhg/angry/201.wav"
    NATIVE_LABELS = _EMOTIONS
    FOLDS_FILE = Path(__file__).with_name("folds.json")
    DESCRIPTION = "CASIA Chinese emotional speech (public 1200-utterance release): Mandarin, speaker folds."
    HOMEPAGE = "http://www.chineseldc.org/"
    LICENSE = "No licence text in the public release; research use only"
    CITATION = _CITATION

    @property
    def language(self) -> str:
        return "zh"

    def _parse(self, path: Path, relative: PurePosixPath) -> Utterance:
        if not _NAME.match(relative.name) or len(relative.parts) < 3:
            raise InvalidFileError(path, f"unexpected file name for {self.TITLE} (expected e.g. {self.EXAMPLE_PATH})")
        speaker, emotion = relative.parts[-3], relative.parts[-2]
        if emotion not in _EMOTIONS:
            raise InvalidFileError(path, f"unknown emotion folder {emotion!r} (known: {', '.join(_EMOTIONS)})")
        return Utterance(str(path), f"{speaker}_{emotion}_{relative.stem}", speaker, emotion)
