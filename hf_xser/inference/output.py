"""Writing `Predictor.predict` records: JSON (nested, with the window timeline) or CSV (one flat table)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from typing import TextIO

FORMATS = ("json", "csv")


def write_json(records: Sequence[dict], handle: TextIO, metadata: dict) -> None:
    """`{**metadata, "files": records}`, indented."""
    json.dump({**metadata, "files": list(records)}, handle, indent=2)
    handle.write("\n")


def write_csv(records: Sequence[dict], handle: TextIO, labels: Sequence[str]) -> None:
    """One row per recording (`window` = `all`, its mean probabilities) followed by one row per window (`window` =
    its index); columns `path, window, start, end, label`, one probability column per label, then `error`. A file that
    failed has one row with only `path` and `error`."""
    writer = csv.writer(handle)
    writer.writerow(["path", "window", "start", "end", "label", *labels, "error"])
    for record in records:
        if record["error"] is not None:
            writer.writerow([record["path"], "", "", "", "", *[""] * len(labels), record["error"]])
            continue
        rows = [("all", {"start": 0.0, "end": record["duration"], **record})]
        rows += list(enumerate(record["windows"]))
        for index, row in rows:
            probabilities = [row["probabilities"][label] for label in labels]
            writer.writerow([record["path"], index, row["start"], row["end"], row["label"], *probabilities, ""])
