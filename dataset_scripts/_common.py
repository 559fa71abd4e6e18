"""What every corpus builder shares: the label set, the config, the features and the scan -> decode pipeline.

A corpus builder only says how its files are named (`_parse`), which classes it has and where its fold table is.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import datasets

from . import _audio
from ._audio import SAMPLING_RATE, InvalidCorpusError, InvalidFileError
from ._folds import FoldTable

logger = logging.getLogger(__name__)

# One ClassLabel order for every corpus, so label ids mean the same thing whichever corpora are mixed.
LABELS = ("angry", "happy", "neutral", "sad")
CLASS_MODES = ("4", "all")
AUDIO_SUFFIXES = (".wav", ".flac")
_SKIPPED_FILE = "skipped_files.json"
_MAX_LISTED = 10

# How each corpus names its files (matched against the end of the path), to say which corpus a wrong folder holds.
_LAYOUT_SIGNATURES = {
    "Emo-DB": re.compile(r"(^|/)\d\d[ab]\d\d[A-Z][a-z]+\.wav$", re.IGNORECASE),
    "RAVDESS": re.compile(r"(^|/)\d\d(-\d\d){6}\.wav$", re.IGNORECASE),
    "ESD": re.compile(r"(^|/)\d{4}/[A-Za-z]+/((train|evaluation|test)/)?\d{4}_\d{6}\.wav$"),
    "CASIA": re.compile(r"(^|/)[A-Za-z]+/(angry|fear|happy|neutral|sad|surprise)/\d{3}\.wav$"),
}


@dataclass(frozen=True)
class Utterance:
    """One file found in a corpus folder, before decoding; `label` is the lowercase native class name."""

    path: str
    utterance_id: str
    speaker: str
    label: str
    language: str | None = None  # None: the builder's language


@dataclass
class EmotionConfig(datasets.BuilderConfig):
    """BuilderConfig for the emotion corpora.

    Args:
        fold (`int`, *optional*):
            1-based fold: splits `train`, `validation`, `test` by speaker. `None`: one split `train` with every
            utterance.
        classes (`str`, *optional*, defaults to `"4"`):
            `"4"`: the shared classes `angry, happy, neutral, sad` (other classes are dropped and counted in the
            log); `"all"`: every native class of the corpus, the shared four first.
        skip_invalid (`bool`, *optional*, defaults to `False`):
            Skip unusable files (bad names, unknown labels, unreadable audio) instead of raising; they are logged
            and listed by the builder's `skipped_files`.
    """

    fold: int | None = None
    classes: str = "4"
    skip_invalid: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        self.validate()

    def validate(self) -> None:
        """Check the values; also run by the builder, since keyword overrides of a named config skip __post_init__."""
        if self.classes not in CLASS_MODES:
            raise ValueError(f"classes must be one of {CLASS_MODES}, got {self.classes!r}")
        if self.fold is not None and self.fold < 1:
            raise ValueError(f"fold is 1-based, got {self.fold}")


def fold_configs(config_class: type[EmotionConfig], num_folds: int, **kwargs) -> list[EmotionConfig]:
    """`all` (every utterance, one split) and `fold1`..`foldK` (train / validation / test by speaker)."""
    configs = [config_class(name="all", description="Every utterance in one split.", **kwargs)]
    for fold in range(1, num_folds + 1):
        description = f"Fold {fold}: train / validation / test by speaker."
        configs.append(config_class(name=f"fold{fold}", fold=fold, description=description, **kwargs))
    return configs


def corpus_features(label_names: Iterable[str]) -> datasets.Features:
    # Decoded samples, in the shape `datasets.Audio` decodes to, so downstream reads example["audio"]["array"];
    # the Audio feature itself would need torchcodec and FFmpeg.
    audio = {
        "array": datasets.List(datasets.Value("float32")),
        "sampling_rate": datasets.Value("int32"),
        "path": datasets.Value("string"),
    }
    return datasets.Features(
        {
            "audio": audio,
            "label": datasets.ClassLabel(names=list(label_names)),
            "speaker": datasets.Value("string"),
            "language": datasets.Value("string"),
            "corpus": datasets.Value("string"),
            "utterance_id": datasets.Value("string"),
            "duration": datasets.Value("float32"),
        }
    )


def guess_layout(relative_paths: Iterable[str]) -> str | None:
    """The corpus whose naming most of these paths follow, or None."""
    paths = list(relative_paths)
    votes = Counter(name for path in paths for name, pattern in _LAYOUT_SIGNATURES.items() if pattern.search(path))
    best = votes.most_common(1)
    return best[0][0] if best and best[0][1] * 2 > len(paths) else None


def describe_problems(problems: list[InvalidFileError]) -> str:
    lines = [f"  - {problem}" for problem in problems[:_MAX_LISTED]]
    if len(problems) > _MAX_LISTED:
        lines.append(f"  ... and {len(problems) - _MAX_LISTED} more")
    return "\n".join(lines)


class EmotionCorpusBuilder(datasets.GeneratorBasedBuilder):
    """Base builder: scans `data_dir`, validates names and labels, splits by fold, decodes to 16 kHz mono.

    Subclasses set the class attributes below and implement `_parse` (or `_scan` for non-file layouts).
    """

    BUILDER_CONFIG_CLASS = EmotionConfig
    DEFAULT_CONFIG_NAME = "all"
    # Decoded clips are large (~0.2 MB each): write in small batches to keep memory low while preparing.
    DEFAULT_WRITER_BATCH_SIZE = 64

    TITLE: str = ""  # corpus name for messages, e.g. "Emo-DB"
    EXAMPLE_PATH: str = ""  # one correctly named file, for messages
    NATIVE_LABELS: tuple[str, ...] = ()  # every class, the shared four first
    FOLDS_FILE: Path | None = None
    DESCRIPTION = CITATION = HOMEPAGE = LICENSE = ""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.config.validate()
        self._skipped: list[dict[str, str]] | None = None

    @property
    def language(self) -> str:
        """ISO 639-1 code of the corpus' language."""
        raise NotImplementedError

    def fold_table(self) -> FoldTable:
        return FoldTable.from_json(self.FOLDS_FILE)

    def known_speakers(self) -> set[str] | None:
        """The corpus' speakers (a file by anyone else is an error), or None where any speaker is fine."""
        return set(self.fold_table().speakers)

    @classmethod
    def source_files(cls, data_dir: str | Path) -> list[Path]:
        """The files a prepared copy depends on: their sizes and times fingerprint the cache (see `hf_xser.data`)."""
        root = Path(data_dir).expanduser()
        return sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES) if root.is_dir() else []

    def label_names(self) -> tuple[str, ...]:
        return LABELS if self.config.classes == "4" else self.NATIVE_LABELS

    @property
    def skipped_files(self) -> list[dict[str, str]]:
        """Files skipped with `skip_invalid=True` (`path`, `reason`), also after loading from the cache."""
        if self._skipped is None:
            record = Path(self._output_dir) / _SKIPPED_FILE
            self._skipped = json.loads(record.read_text()) if record.is_file() else []
        return self._skipped

    def download_and_prepare(self, *args, **kwargs) -> None:
        self._skipped = None
        try:
            super().download_and_prepare(*args, **kwargs)
        except datasets.exceptions.DatasetGenerationError as error:
            # datasets wraps every generation error in a generic message: surface ours, which names the file.
            if isinstance(error.__cause__, InvalidCorpusError):
                raise error.__cause__ from None
            raise
        if self._skipped is not None:  # prepared now (not loaded from the cache): keep the record beside the data
            (Path(self._output_dir) / _SKIPPED_FILE).write_text(json.dumps(self._skipped, indent=1))

    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(
            description=self.DESCRIPTION,
            features=corpus_features(self.label_names()),
            homepage=self.HOMEPAGE,
            license=self.LICENSE,
            citation=self.CITATION,
        )

    def _parse(self, path: Path, relative: PurePosixPath) -> Utterance | None:
        """The utterance a file holds, None for files the corpus ships but that are not used (e.g. songs).

        Raises:
            InvalidFileError: an unexpected name or an unknown label code.
        """
        raise NotImplementedError

    def _scan(self, root: Path) -> tuple[list[Utterance], list[InvalidFileError]]:
        """Every audio file below `root` (hidden files such as macOS `._*` excepted), parsed."""
        if not root.is_dir():
            raise InvalidCorpusError(f"{root} is not a folder: point data_dir at the {self.TITLE} folder")
        files = sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and not p.is_dir())
        files = [p for p in files if not any(part.startswith(".") for part in p.relative_to(root).parts)]
        if not files:
            raise InvalidCorpusError(
                f"{root} holds no audio files ({', '.join(AUDIO_SUFFIXES)}): point data_dir "
                f"at the {self.TITLE} folder (files named like {self.EXAMPLE_PATH})"
            )
        utterances, problems = [], []
        for path in files:
            try:
                utterance = self._parse(path, PurePosixPath(path.relative_to(root).as_posix()))
            except InvalidFileError as problem:
                problems.append(problem)
                continue
            if utterance is not None:
                utterances.append(utterance)
        if not utterances and problems:
            relative = [PurePosixPath(Path(p.path).relative_to(root).as_posix()).as_posix() for p in problems]
            guess = guess_layout(relative)
            hint = f" It looks like a {guess} folder." if guess and guess != self.TITLE else ""
            raise InvalidCorpusError(
                f"{root} does not hold the {self.TITLE} layout: none of its {len(files)} audio files is named like "
                f"{self.EXAMPLE_PATH}.{hint}\n{describe_problems(problems)}"
            )
        return utterances, problems

    def _collect(self) -> list[Utterance]:
        """Scan, check speakers and duplicates, report or raise on problems, keep the configured classes."""
        if self.config.data_dir is None:
            raise InvalidCorpusError(f"data_dir is required: the folder holding {self.TITLE}")
        root = Path(self.config.data_dir).expanduser()
        if not root.exists():
            raise InvalidCorpusError(f"{root} does not exist: point data_dir at the {self.TITLE} folder")
        utterances, problems = self._scan(root)
        known = self.known_speakers()
        seen: dict[str, str] = {}
        kept = []
        for utterance in utterances:
            if known is not None and utterance.speaker not in known:
                reason = f"speaker {utterance.speaker!r} is not a {self.TITLE} speaker ({', '.join(sorted(known))})"
                problems.append(InvalidFileError(utterance.path, reason))
            elif utterance.utterance_id in seen:
                reason = f"utterance {utterance.utterance_id} is also in {seen[utterance.utterance_id]}"
                problems.append(InvalidFileError(utterance.path, reason))
            else:
                seen[utterance.utterance_id] = utterance.path
                kept.append(utterance)
        self._report(problems, root)
        names = set(self.label_names())
        dropped = Counter(u.label for u in kept if u.label not in names)
        if dropped:
            logger.info(
                "%s: %d utterances of classes outside %s dropped: %s",
                self.TITLE,
                sum(dropped.values()),
                sorted(names),
                dict(sorted(dropped.items())),
            )
        return sorted((u for u in kept if u.label in names), key=lambda u: u.utterance_id)

    def _report(self, problems: list[InvalidFileError], where: str | Path) -> None:
        if not problems:
            return
        if not self.config.skip_invalid:
            raise InvalidCorpusError(
                f"{len(problems)} invalid file(s) in {where}:\n{describe_problems(problems)}\n"
                "Fix or remove them, or pass skip_invalid=True to skip them."
            )
        logger.warning("%s: skipped %d invalid file(s):\n%s", self.TITLE, len(problems), describe_problems(problems))
        self._skipped = (self._skipped or []) + [{"path": p.path, "reason": p.reason} for p in problems]

    def _split_generators(self, dl_manager: datasets.DownloadManager) -> list[datasets.SplitGenerator]:
        self._skipped = []
        utterances = self._collect()
        if self.config.fold is None:
            return [datasets.SplitGenerator(name=datasets.Split.TRAIN, gen_kwargs={"utterances": utterances})]
        generators = []
        for split, speakers in self.fold_table().split(self.config.fold).items():
            chosen = [u for u in utterances if u.speaker in speakers]
            generators.append(datasets.SplitGenerator(name=split, gen_kwargs={"utterances": chosen}))
        return generators

    def _generate_examples(self, utterances: list[Utterance]):
        for utterance in utterances:
            try:
                array = _audio.decode_audio(utterance.path)
            except InvalidFileError as problem:
                self._report([problem], Path(utterance.path).parent)
                continue
            example = {
                "audio": {"array": array, "sampling_rate": SAMPLING_RATE, "path": utterance.path},
                "label": utterance.label,
                "speaker": utterance.speaker,
                "language": utterance.language or self.language,
                "corpus": self.name,
                "utterance_id": utterance.utterance_id,
                "duration": len(array) / SAMPLING_RATE,
            }
            yield utterance.utterance_id, example
