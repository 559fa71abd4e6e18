"""ESD builder: `<speaker>/<Emotion>/[train|evaluation|test/]<speaker>_<6 digits>.wav`.

The official train / evaluation / test sub-folders split each speaker's sentences, not the speakers, so they are
merged here and the corpus is re-split by speaker (Table 2). Speakers 0001-0010 speak Mandarin, 0011-0020 English;
a config reads one language and ignores the other's folders. The transcripts (`<speaker>/<speaker>.txt`) are not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .._audio import InvalidFileError
from .._common import EmotionConfig, EmotionCorpusBuilder, Utterance, fold_configs
from .._folds import FoldTable

_NAME = re.compile(r"^(?P<speaker>\d{4})_(?P<number>\d{6})\.wav$", re.IGNORECASE)
_EMOTIONS = {"Angry": "angry", "Happy": "happy", "Neutral": "neutral", "Sad": "sad", "Surprise": "surprise"}
_SUBSETS = ("train", "evaluation", "test")
_LANGUAGES = {"zh": range(1, 11), "en": range(11, 21)}

_CITATION = """\
@article{zhou2022emotional,
  title={Emotional voice conversion: Theory, databases and ESD},
  author={Zhou, Kun and Sisman, Berrak and Liu, Rui and Li, Haizhou},
  journal={Speech Communication},
  volume={137},
  pages={1--18},
  year={2022}
}
"""


@dataclass
class EsdConfig(EmotionConfig):
    """EmotionConfig for ESD.

    Args:
        language (`str`, *optional*, defaults to `"zh"`):
            `"zh"`: the Mandarin speakers 0001-0010 (the paper's choice); `"en"`: the English speakers 0011-0020.
    """

    language: str = "zh"

    def validate(self) -> None:
        super().validate()
        if self.language not in _LANGUAGES:
            raise ValueError(f"ESD language must be one of {sorted(_LANGUAGES)}, got {self.language!r}")


class Esd(EmotionCorpusBuilder):
    """ESD: 10 Mandarin + 10 English speakers, 5 emotions, 350 parallel utterances per speaker and emotion."""

    VERSION = "1.0.0"
    BUILDER_CONFIG_CLASS = EsdConfig
    BUILDER_CONFIGS = fold_configs(EsdConfig, num_folds=5)
    TITLE = "ESD"
    EXAMPLE_PATH = "0001/Angry/train/0001_000351.wav"
    NATIVE_LABELS = ("angry", "happy", "neutral", "sad", "surprise")
    FOLDS_FILE = Path(__file__).with_name("folds.json")
    DESCRIPTION = "ESD (Emotional Speech Dataset): Mandarin or English emotional speech, re-split by speaker."
    HOMEPAGE = "https://hltsingapore.github.io/ESD/"
    LICENSE = "Research use only (see the corpus' licence agreement)"
    CITATION = _CITATION

    @property
    def language(self) -> str:
        return self.config.language

    def fold_table(self) -> FoldTable:
        return FoldTable.from_json(self.FOLDS_FILE, key=self.config.language)

    def _parse(self, path: Path, relative: PurePosixPath) -> Utterance | None:
        match = _NAME.match(relative.name)
        folders = list(relative.parent.parts)
        if folders and folders[-1] in _SUBSETS:
            folders.pop()
        if match is None or len(folders) < 2:
            raise InvalidFileError(path, f"unexpected file name for {self.TITLE} (expected e.g. {self.EXAMPLE_PATH})")
        speaker, emotion = folders[-2], folders[-1]
        if speaker != match["speaker"]:
            raise InvalidFileError(path, f"unexpected file name: speaker {match['speaker']} in folder {speaker}")
        if emotion not in _EMOTIONS:
            raise InvalidFileError(path, f"unknown emotion folder {emotion!r} (known: {', '.join(_EMOTIONS)})")
        if int(speaker) not in _LANGUAGES[self.config.language]:
            if any(int(speaker) in numbers for numbers in _LANGUAGES.values()):
                return None  # a speaker of the other language
            raise InvalidFileError(path, f"speaker {speaker} is not an ESD speaker (0001-0020)")
        return Utterance(str(path), relative.stem, speaker, _EMOTIONS[emotion])
