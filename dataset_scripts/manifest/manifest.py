"""Manifest builder: a CSV (or TSV) with columns `path` (relative to the manifest), `label`, `speaker` and,
optionally, `language` (ISO 639-1).

`data_dir` is the manifest file, or a folder holding exactly one `.csv` / `.tsv`. Labels go through the user's
`label_map` (e.g. `"joy=happy,anger=angry"`; labels already named like a shared class map to themselves); in
4-class mode the rows whose label maps to none of `angry, happy, neutral, sad` are dropped and counted in the log.
Folds are speaker-grouped, deterministic (see `FoldTable.grouped`): sorted speakers cut into `num_folds` groups.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .._audio import InvalidCorpusError, InvalidFileError
from .._common import LABELS, EmotionConfig, EmotionCorpusBuilder, Utterance, fold_configs
from .._folds import FoldTable

_SUFFIXES = (".csv", ".tsv")
_REQUIRED = ("path", "label", "speaker")


@dataclass
class ManifestConfig(EmotionConfig):
    """EmotionConfig for manifest corpora.

    Args:
        label_map (`str` or `dict`, *optional*):
            Corpus label -> shared label, as `"joy=happy,anger=angry"` or a dict; matching ignores case.
        language (`str`, *optional*):
            ISO 639-1 code of every row, required when the manifest has no `language` column.
        num_folds (`int`, *optional*, defaults to 5):
            Number of speaker-grouped folds (at least 3, at most the number of speakers).
    """

    label_map: str | dict[str, str] | None = None
    language: str | None = None
    num_folds: int = 5

    def validate(self) -> None:
        super().validate()
        self.mapping()
        if self.num_folds < 3:
            raise ValueError(f"num_folds must be at least 3 (train, validation and test groups), got {self.num_folds}")

    def mapping(self) -> dict[str, str]:
        if isinstance(self.label_map, dict):
            pairs = self.label_map.items()
        else:
            pairs = [item.split("=", 1) for item in (self.label_map or "").split(",") if item.strip()]
            if any(len(pair) != 2 for pair in pairs):
                raise ValueError(f"label_map must look like 'joy=happy,anger=angry', got {self.label_map!r}")
        return {key.strip().lower(): value.strip().lower() for key, value in pairs}


class Manifest(EmotionCorpusBuilder):
    """A corpus listed in a CSV / TSV manifest, with a user label map and speaker-grouped folds."""

    VERSION = "1.0.0"
    BUILDER_CONFIG_CLASS = ManifestConfig
    # More folds than 5: pass `fold=K, num_folds=N` with the `all` config.
    BUILDER_CONFIGS = fold_configs(ManifestConfig, num_folds=5)
    TITLE = "manifest"
    EXAMPLE_PATH = "a manifest.csv with columns path,label,speaker[,language]"
    DESCRIPTION = "An emotional speech corpus described by a CSV/TSV manifest, split into speaker-grouped folds."

    @property
    def language(self) -> str:
        if self.config.language is None:
            raise InvalidCorpusError(f"{self._manifest()} has no language column: pass language=<ISO 639-1 code>")
        return self.config.language

    @classmethod
    def source_files(cls, data_dir: str | Path) -> list[Path]:
        try:
            manifest = _find_manifest(Path(data_dir).expanduser())
        except InvalidCorpusError:
            return []
        return [manifest] + sorted(manifest.parent / row["path"] for _, row in _read_rows(manifest))

    def known_speakers(self) -> None:
        return None  # the speakers are whoever the manifest lists

    def fold_table(self) -> FoldTable:
        speakers = {row["speaker"] for _, row in self._rows()}
        return FoldTable.grouped(sorted(speakers), self.config.num_folds)

    def label_names(self) -> tuple[str, ...]:
        if self.config.classes == "4":
            return LABELS
        mapping = self.config.mapping()
        found = {mapping.get(row["label"].lower(), row["label"].lower()) for _, row in self._rows()}
        return LABELS + tuple(sorted(found - set(LABELS)))

    def _manifest(self) -> Path:
        if self.config.data_dir is None:
            raise InvalidCorpusError("data_dir is required: the manifest file (or the folder holding it)")
        return _find_manifest(Path(self.config.data_dir).expanduser())

    def _rows(self) -> list[tuple[int, dict[str, str]]]:
        if getattr(self, "_rows_cache", None) is None:
            self._rows_cache = _read_rows(self._manifest())
        return self._rows_cache

    def _scan(self, root: Path) -> tuple[list[Utterance], list[InvalidFileError]]:
        manifest = self._manifest()
        mapping = self.config.mapping()
        utterances, problems = [], []
        for line, row in self._rows():
            where = f"{manifest}, line {line}"
            if not all(row[column] for column in _REQUIRED):
                problems.append(InvalidFileError(where, f"empty {', '.join(c for c in _REQUIRED if not row[c])}"))
                continue
            path = manifest.parent / row["path"]
            if not path.is_file():
                problems.append(InvalidFileError(path, f"listed in {where} but missing"))
                continue
            label = row["label"].lower()
            language = row.get("language") or self.config.language
            if language is None:
                problems.append(InvalidFileError(where, "no language: fill the column or pass language=<code>"))
                continue
            utterance_id = PurePosixPath(row["path"]).with_suffix("").as_posix()
            utterances.append(Utterance(str(path), utterance_id, row["speaker"], mapping.get(label, label), language))
        if not utterances and not problems:
            raise InvalidCorpusError(f"{manifest} lists no utterance")
        return utterances, problems


def _find_manifest(root: Path) -> Path:
    if not root.exists():
        raise InvalidCorpusError(f"{root} does not exist: pass the manifest file (or the folder holding it)")
    if root.is_file():
        if root.suffix.lower() not in _SUFFIXES:
            raise InvalidCorpusError(f"{root} is not a manifest: expected a {' or '.join(_SUFFIXES)} file")
        return root
    found = sorted(p for p in root.iterdir() if p.suffix.lower() in _SUFFIXES)
    if len(found) != 1:
        names = ", ".join(p.name for p in found) or "none"
        raise InvalidCorpusError(
            f"{root} must hold exactly one manifest (.csv or .tsv), found {names}: pass the manifest file itself"
        )
    return found[0]


def _read_rows(manifest: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for every data row; values stripped, missing optional columns empty."""
    with open(manifest, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t" if manifest.suffix.lower() == ".tsv" else ",")
        missing = [column for column in _REQUIRED if column not in (reader.fieldnames or ())]
        if missing:
            raise InvalidCorpusError(
                f"{manifest} lacks the column(s) {', '.join(missing)} "
                f"(found: {', '.join(reader.fieldnames or ()) or 'no header'})"
            )
        return [
            (reader.line_num, {key: (value or "").strip() for key, value in row.items() if key is not None})
            for row in reader
        ]
