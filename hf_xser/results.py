"""Per-test-set results and their `all_results.json`, one shape for the neural runs and the baselines.

A record is one test set of one fold: `{"fold", "scheme", "test_set", "setting", "ua", "wa",
"confusion_matrix", "labels", "num_utterances"}`. `all_results.json` holds the run's settings, the
records, and a summary with the mean and standard deviation over folds of every (scheme, test set, setting).
The standard deviation is the population one (numpy's default, ddof=0), as fold-averaged SER tables report.
"""

from __future__ import annotations

import json
import math
import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from .metrics import SERMetrics

RESULTS_FILE = "all_results.json"


def score_test_set(
    metrics: SERMetrics,
    predictions: Sequence[int],
    references: Sequence[int],
    *,
    fold: int,
    scheme: str,
    test_set: str,
    setting: str,
    labels: Sequence[str],
) -> dict:
    """One record: UA, WA and the confusion matrix of a test set, with what identifies it."""
    if setting not in ("within", "cross"):
        raise ValueError(f"setting must be 'within' or 'cross', got {setting!r}")
    return {
        "fold": fold,
        "scheme": scheme,
        "test_set": test_set,
        "setting": setting,
        **metrics(predictions, references),
        "labels": list(labels),
        "num_utterances": len(references),
    }


def summarise(records: Sequence[Mapping]) -> list[dict]:
    """Mean and standard deviation over folds of UA and WA, per (scheme, test set, setting)."""
    groups: dict[tuple, list[Mapping]] = defaultdict(list)
    for record in records:
        groups[(record["scheme"], record["test_set"], record["setting"])].append(record)
    summary = []
    for (scheme, test_set, setting), group in sorted(groups.items()):
        entry = {"scheme": scheme, "test_set": test_set, "setting": setting, "folds": sorted(r["fold"] for r in group)}
        for metric in ("ua", "wa"):
            values = np.array([r[metric] for r in group], dtype=np.float64)
            entry[f"{metric}_mean"] = float(values.mean())
            entry[f"{metric}_std"] = float(values.std())
        summary.append(entry)
    return summary


def write_all_results(output_dir: str | os.PathLike, records: Sequence[Mapping], settings: Mapping) -> Path:
    """Write `all_results.json` (settings, records, summary) into `output_dir` and return its path."""
    path = Path(output_dir) / RESULTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"settings": dict(settings), "results": list(records), "summary": summarise(records)}
    path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n")
    return path


def read_all_results(path: str | os.PathLike) -> dict:
    """Read an `all_results.json` (a file, or the folder holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / RESULTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no results file")
    payload = json.loads(path.read_text())
    if not isinstance(payload, dict) or "results" not in payload:
        raise ValueError(f"{path}: not an hf-xser results file (no 'results' list)")
    return payload


def format_table(records: Sequence[Mapping]) -> str:
    """A readable table: one row per fold and test set, then the mean ± std rows when there are several folds."""
    lines = [f"{'scheme':<8} {'fold':>4}  {'test set':<10} {'setting':<7} {'N':>5}  {'UA %':>12}  {'WA %':>12}"]
    for r in sorted(records, key=lambda r: (r["scheme"], r["fold"], r["setting"] != "within", r["test_set"])):
        lines.append(
            f"{r['scheme']:<8} {r['fold']:>4}  {r['test_set']:<10} {r['setting']:<7} {r['num_utterances']:>5}  "
            f"{100 * r['ua']:>12.1f}  {100 * r['wa']:>12.1f}"
        )
    for s in summarise(records):
        if len(s["folds"]) > 1:
            ua = f"{100 * s['ua_mean']:.1f} ± {100 * s['ua_std']:.1f}"
            wa = f"{100 * s['wa_mean']:.1f} ± {100 * s['wa_std']:.1f}"
            lines.append(
                f"{s['scheme']:<8} {'mean':>4}  {s['test_set']:<10} {s['setting']:<7} {'':>5}  {ua:>12}  {wa:>12}"
            )
    return "\n".join(lines)


def is_complete(path: str | os.PathLike, expected_test_sets: Sequence[str], folds: Sequence[int]) -> bool:
    """Whether a results file holds a finite record for every expected (fold, test set)."""
    try:
        payload = read_all_results(path)
    except (FileNotFoundError, ValueError, json.JSONDecodeError):
        return False
    have = {(r["fold"], r["test_set"]) for r in payload["results"] if math.isfinite(r.get("ua", math.nan))}
    return all((fold, name) in have for fold in folds for name in expected_test_sets)
