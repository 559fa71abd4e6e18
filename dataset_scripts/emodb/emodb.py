"""Emo-DB builder: `03a01Fa.wav` = speaker 03, text a01, emotion F (Freude), version a; in `wav/` or any folder."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from .._audio import InvalidFileError
from .._common import EmotionConfig, EmotionCorpusBuilder, Utterance, fold_configs

_NAME = re.compile(r"^(?P<speaker>\d\d)(?P<text>[ab]\d\d)(?P<emotion>[A-Za-z])(?P<version>[a-z]+)\.wav$")
# German initials: Wut, Freude, Neutral, Trauer, Langeweile, Ekel, Angst.
_EMOTIONS = {"W": "angry", "F": "happy", "N": "neutral", "T": "sad", "L": "boredom", "E": "disgust", "A": "fear"}

_CITATION = """\
@inproceedings{burkhardt2005database,
  title={A database of German emotional speech},
  author={Burkhardt, Felix and Paeschke, Astrid and Rolfes, Miriam and Sendlmeier, Walter F and Weiss, Benjamin},
  booktitle={Interspeech},
  pages={1517--1520},
  year={2005}
}
"""


class EmoDB(EmotionCorpusBuilder):
    """Emo-DB: 10 actors (5 female, 5 male), 10 German sentences, 7 emotions, 535 utterances at 16 kHz."""

    VERSION = "1.0.0"
    BUILDER_CONFIGS = fold_configs(EmotionConfig, num_folds=5)
    TITLE = "Emo-DB"
    EXAMPLE_PATH = "wav/03a01Fa.wav"
    NATIVE_LABELS = ("angry", "happy", "neutral", "sad", "boredom", "disgust", "fear")
    FOLDS_FILE = Path(__file__).with_name("folds.json")
    DESCRIPTION = "Emo-DB (Berlin Database of Emotional Speech): German acted emotional speech, speaker folds."
    HOMEPAGE = "http://emodb.bilderbar.info/"
    LICENSE = "Free for research use (see the corpus homepage)"
    CITATION = _CITATION

    @property
    def language(self) -> str:
        return "de"

    def _parse(self, path: Path, relative: PurePosixPath) -> Utterance:
        match = _NAME.match(relative.name)
        if match is None:
            raise InvalidFileError(path, f"unexpected file name for {self.TITLE} (expected e.g. 03a01Fa.wav)")
        emotion = match["emotion"]
        if emotion not in _EMOTIONS:
            raise InvalidFileError(path, f"unknown emotion code {emotion!r} (known: {', '.join(_EMOTIONS)})")
        return Utterance(str(path), relative.stem, match["speaker"], _EMOTIONS[emotion])
