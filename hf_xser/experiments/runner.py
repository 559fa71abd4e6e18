"""Running cells: finished ones skipped, each command logged to its folder, failures recorded without stopping.

Per cell folder: `log.txt` (every command's output), `run.json` (command, exit code, seconds) and, when it failed,
`FAILED` (JSON with the exit code and the log's tail). The run directory holds `cells.json` (the whole grid, so the
report can tell missing cells from absent ones) and `failures.json` (every cell that has a `FAILED` file).
An interrupted cell leaves neither results nor `FAILED`; the next run starts it again (the training script then
resumes from its last checkpoint).
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from .grid import Cell

logger = logging.getLogger(__name__)

MANIFEST_FILE = "cells.json"
EXPERIMENT_FILE = "experiment.yaml"
FAILURES_FILE = "failures.json"
FAILED_FILE = "FAILED"
LOG_FILE = "log.txt"
TAIL_CHARS = 4000

# (command, log file) -> exit code; tests swap in a fake that writes results without training anything.
CommandRunner = Callable[[Sequence[str], Path], int]


def run_command(command: Sequence[str], log_path: Path) -> int:
    """Run `command`, appending its stdout and stderr to `log_path`; return its exit code."""
    with open(log_path, "a") as log:
        log.write(f"\n$ {shlex.join(command)}\n")
        log.flush()
        return subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy()).returncode


def _write_json(path: Path, payload: object) -> None:
    # Written then renamed, so a reader (the report, another shard) never sees half a file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(path)


def write_manifest(run_dir: str | os.PathLike, cells: Sequence[Cell], experiment_file: str | os.PathLike) -> Path:
    """`RUN_DIR/cells.json` (every cell of the grid, all shards) and a copy of the experiment file, for the report."""
    path = Path(run_dir) / MANIFEST_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_json(path, [cell.to_dict() for cell in cells])
    copy = Path(run_dir) / EXPERIMENT_FILE
    if Path(experiment_file).resolve() != copy.resolve():
        copy.write_text(Path(experiment_file).read_text())
    return path


def read_manifest(run_dir: str | os.PathLike) -> list[Cell]:
    """The grid's cells, with their folders under `run_dir` as given (the run may have been written from another
    working directory, or on another machine's mount of it)."""
    path = Path(run_dir) / MANIFEST_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no cell manifest; is {run_dir} the run_dir of `hf-xser experiment`?")
    cells = []
    for values in json.loads(path.read_text()):
        cell = Cell.from_dict(values)
        output_dir = Path(run_dir) / cell.name
        results_dir = output_dir / Path(cell.results_dir).relative_to(cell.output_dir)
        cells.append(replace(cell, output_dir=str(output_dir), results_dir=str(results_dir)))
    return cells


def _tail(path: Path) -> str:
    text = path.read_text(errors="replace") if path.is_file() else ""
    return text[-TAIL_CHARS:]


def run_cell(cell: Cell, runner: CommandRunner = run_command) -> bool:
    """Run a cell's commands in order; on failure write its `FAILED` file. Returns whether it finished."""
    cell_dir = Path(cell.output_dir)
    cell_dir.mkdir(parents=True, exist_ok=True)
    (cell_dir / FAILED_FILE).unlink(missing_ok=True)
    log_path = cell_dir / LOG_FILE
    start = time.monotonic()
    for command in cell.commands:
        returncode = runner(command, log_path)
        if returncode != 0:
            reason = f"exit code {returncode}"
            break
    else:
        returncode, reason = 0, None if cell.is_finished() else "exited 0 but the results are incomplete"
    seconds = round(time.monotonic() - start, 1)
    _write_json(cell_dir / "run.json", {"name": cell.name, "returncode": returncode, "seconds": seconds})
    if reason is None:
        return True
    failure = {"name": cell.name, "reason": reason, "command": shlex.join(command), "log_tail": _tail(log_path)}
    _write_json(cell_dir / FAILED_FILE, failure)
    logger.error("cell %s failed (%s); see %s", cell.name, reason, log_path)
    return False


def collect_failures(run_dir: str | os.PathLike, cells: Sequence[Cell]) -> list[dict]:
    """The `FAILED` records of the grid's cells, gathered into `RUN_DIR/failures.json` (from every shard)."""
    failures = []
    for cell in cells:
        path = Path(cell.output_dir) / FAILED_FILE
        if path.is_file():
            failures.append(json.loads(path.read_text()))
    _write_json(Path(run_dir) / FAILURES_FILE, failures)
    return failures


def run_cells(cells: Sequence[Cell], runner: CommandRunner = run_command) -> dict[str, list[str]]:
    """Run every unfinished cell; returns the names of the cells `skipped` (finished before), `done` and `failed`."""
    outcome: dict[str, list[str]] = {"skipped": [], "done": [], "failed": []}
    for number, cell in enumerate(cells, 1):
        if cell.is_finished():
            outcome["skipped"].append(cell.name)
            continue
        logger.info("[%d/%d] %s", number, len(cells), cell.name)
        outcome["done" if run_cell(cell, runner) else "failed"].append(cell.name)
    return outcome
