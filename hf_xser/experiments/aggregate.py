"""From cell folders to numbers: every cell's status and records, and the mean ± std over folds per group.

A group is (variant, scheme, shots, test set, setting). Only finished cells contribute; every cell of the grid
that is not finished is reported with its status (failed, incomplete, missing), and every group says which of
its expected folds it lacks, so a mean over fewer folds is never mistaken for the full one. The standard
deviation is the population one over folds, as `hf_xser.results.summarise` computes it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..results import RESULTS_FILE, read_all_results
from .grid import Cell
from .runner import FAILED_FILE

STATUSES = ("finished", "failed", "incomplete", "missing")
GROUP_KEYS = ("variant", "scheme", "shots", "test_set", "setting")


@dataclass
class CellResult:
    """A cell of the grid with its status, the reason when it is not finished, and its records when it is."""

    cell: Cell
    status: str
    reason: str = ""
    records: list[dict] = field(default_factory=list)
    seconds: float | None = None


def read_cell(cell: Cell) -> CellResult:
    """The status and records of one cell, from its folder."""
    cell_dir = Path(cell.output_dir)
    run = cell_dir / "run.json"
    seconds = json.loads(run.read_text()).get("seconds") if run.is_file() else None
    if cell.is_finished():
        records = [
            r for r in read_all_results(Path(cell.results_dir) / RESULTS_FILE)["results"] if r["fold"] == cell.fold
        ]
        return CellResult(cell, "finished", records=records, seconds=seconds)
    failed = cell_dir / FAILED_FILE
    if failed.is_file():
        return CellResult(cell, "failed", json.loads(failed.read_text()).get("reason", ""), seconds=seconds)
    if cell_dir.is_dir():
        return CellResult(cell, "incomplete", "started, no complete results (running or interrupted)", seconds=seconds)
    return CellResult(cell, "missing", "not run yet")


def read_cells(cells: Sequence[Cell]) -> list[CellResult]:
    return [read_cell(cell) for cell in cells]


def record_rows(results: Sequence[CellResult]) -> list[dict]:
    """One row per (cell, test set) of the finished cells, and one row per unfinished cell (no metrics): the CSV."""
    rows = []
    for result in results:
        cell = result.cell
        base = {
            "cell": cell.name,
            "status": result.status,
            "kind": cell.kind,
            "variant": cell.variant,
            "scheme": cell.scheme,
            "shots": cell.shots,
            "fold": cell.fold,
            "seconds": result.seconds,
        }
        if not result.records:
            rows.append(
                {
                    **base,
                    "test_set": "",
                    "setting": "",
                    "ua": None,
                    "wa": None,
                    "num_utterances": None,
                    "reason": result.reason,
                }
            )
        for record in result.records:
            rows.append(
                {
                    **base,
                    "test_set": record["test_set"],
                    "setting": record["setting"],
                    "ua": record["ua"],
                    "wa": record["wa"],
                    "num_utterances": record["num_utterances"],
                    "reason": "",
                }
            )
    return rows


def summarise_cells(results: Sequence[CellResult]) -> list[dict]:
    """Mean and std over folds of UA and WA per group, with the folds present, and the folds expected but absent."""
    expected: dict[tuple, set[int]] = defaultdict(set)
    for result in results:
        expected[(result.cell.variant, result.cell.scheme, result.cell.shots)].add(result.cell.fold)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for result in results:
        for record in result.records:
            groups[
                (result.cell.variant, result.cell.scheme, result.cell.shots, record["test_set"], record["setting"])
            ].append(record)
    summary = []
    for key, records in groups.items():
        entry = dict(zip(GROUP_KEYS, key))
        folds = sorted(r["fold"] for r in records)
        entry["folds"] = folds
        entry["missing_folds"] = sorted(expected[key[:3]] - set(folds))
        for metric in ("ua", "wa"):
            values = np.array([r[metric] for r in records], dtype=np.float64)
            entry[f"{metric}_mean"] = float(values.mean())
            entry[f"{metric}_std"] = float(values.std())
        entry["confusion_matrix"] = np.sum([r["confusion_matrix"] for r in records], axis=0).tolist()
        entry["labels"] = records[0]["labels"]
        summary.append(entry)
    return summary


def lookup(summary: Sequence[dict], **keys) -> dict | None:
    """The summary entry matching every given key (e.g. variant, scheme, shots, test_set), or None."""
    for entry in summary:
        if all(entry[name] == value for name, value in keys.items()):
            return entry
    return None
