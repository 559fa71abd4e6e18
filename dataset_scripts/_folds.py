"""Speaker folds as data: which speakers validate and test in each fold (train = all the others).

The paper's folds (Table 2) live as JSON beside each builder; `FoldTable.grouped` derives the same pattern for
corpora without a published table (the manifest builder).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass

SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class FoldTable:
    """Every speaker of a corpus and, per fold (1-based), its validation and test speakers."""

    speakers: tuple[str, ...]
    folds: tuple[dict[str, tuple[str, ...]], ...]

    def __post_init__(self) -> None:
        known = set(self.speakers)
        if len(known) != len(self.speakers):
            raise ValueError(f"fold table lists a speaker twice: {self.speakers}")
        for number, fold in enumerate(self.folds, start=1):
            validation, test = set(fold["validation"]), set(fold["test"])
            if not validation or not test or validation & test:
                raise ValueError(
                    f"fold {number}: validation {sorted(validation)} and test {sorted(test)} must be "
                    "non-empty and disjoint"
                )
            if not validation | test <= known:
                raise ValueError(f"fold {number}: speakers {sorted((validation | test) - known)} are not in the table")
            if not known - validation - test:
                raise ValueError(f"fold {number}: no speaker is left for training")

    @classmethod
    def from_json(cls, path: str | os.PathLike, key: str | None = None) -> FoldTable:
        """Read a table `{"speakers": [...], "folds": [{"validation": [...], "test": [...]}, ...]}` (under `key`)."""
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if key is not None:
            data = data[key]
        folds = tuple({split: tuple(fold[split]) for split in ("validation", "test")} for fold in data["folds"])
        return cls(tuple(data["speakers"]), folds)

    @classmethod
    def grouped(cls, speakers: Sequence[str], num_folds: int = 5) -> FoldTable:
        """Folds for any corpus, in Table 2's pattern.

        The sorted speakers are cut into `num_folds` contiguous groups g1..gk of near-equal size; fold f tests on
        group k+1-f and validates on the group before it (cyclically), so fold 1 tests on the last group and every
        group is tested exactly once, as in Table 2.
        """
        ordered = sorted(set(speakers))
        if num_folds < 3 or len(ordered) < num_folds:
            raise ValueError(
                f"speaker-grouped folds need at least 3 folds and one speaker per fold; got "
                f"num_folds={num_folds} for {len(ordered)} speakers"
            )
        size, extra = divmod(len(ordered), num_folds)
        groups, start = [], 0
        for index in range(num_folds):
            stop = start + size + (index < extra)
            groups.append(tuple(ordered[start:stop]))
            start = stop
        folds = tuple(
            {"validation": groups[(num_folds - fold - 1) % num_folds], "test": groups[num_folds - fold]}
            for fold in range(1, num_folds + 1)
        )
        return cls(tuple(ordered), folds)

    @property
    def num_folds(self) -> int:
        return len(self.folds)

    def split(self, fold: int) -> dict[str, tuple[str, ...]]:
        """The speakers of `train`, `validation` and `test` in `fold` (1-based); disjoint, covering every speaker."""
        if not 1 <= fold <= self.num_folds:
            raise ValueError(f"fold must be between 1 and {self.num_folds}, got {fold}")
        held_out = self.folds[fold - 1]
        train = tuple(s for s in self.speakers if s not in held_out["validation"] and s not in held_out["test"])
        return {"train": train, "validation": held_out["validation"], "test": held_out["test"]}
