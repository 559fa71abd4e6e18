"""The experiment grid with a fake cell runner: cells, naming, sharding, skipping, failures, interruption, resume."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from hf_xser.cli import main as cli_main
from hf_xser.experiments.config import load_experiment_config
from hf_xser.experiments.grid import EMBEDDINGS_FILE, Cell, expand_cells, parse_shard, shard_cells
from hf_xser.experiments.runner import FAILED_FILE, collect_failures, read_manifest, run_cells, write_manifest
from hf_xser.results import write_all_results

LABELS = ["angry", "happy", "neutral", "sad"]
GRID = {
    "schemes": ["DEEN", "ENCH"],
    "folds": [1, 2],
    "training_config": "configs/demo.yaml",
    "corpora_root": "corpora",
    "variants": {
        "wccn": {"kind": "neural", "label": "wav2vec2+DWCCN", "overrides": {"use_wccn": True}},
        "no-wccn": {"kind": "neural", "overrides": {"use_wccn": False}},
        "egemaps": {"kind": "baseline", "overrides": {"features": "egemaps"}},
        "egemaps-wccn": {"kind": "baseline", "overrides": {"features": "egemaps", "wccn": True}},
    },
    "target_shots": {"shots": [30], "schemes": ["DEEN"], "variants": ["wccn"]},
    "embeddings": {"schemes": ["DEEN"], "folds": [1], "variants": ["wccn", "no-wccn"]},
    "ablations": [{"name": "Deep-WCCN", "with": "wccn", "without": "no-wccn", "published": "wav2vec2"}],
}


def write_grid(tmp_path: Path, **changes) -> Path:
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump({"run_dir": str(tmp_path / "run"), **GRID, **changes}, sort_keys=False))
    return path


def fake_ua(cell: Cell, test_set: str) -> float:
    """A deterministic score per cell and test set, so aggregates can be checked by hand."""
    return round(0.25 + 0.1 * cell.fold + 0.01 * len(test_set) + (0.05 if cell.variant == "wccn" else 0), 4)


def write_fake_results(cell: Cell) -> None:
    """What a successful run of the cell leaves: its complete `all_results.json` (and embeddings when asked)."""
    records = []
    for test_set in cell.test_sets:
        ua = fake_ua(cell, test_set)
        setting = "within" if test_set in cell.train_languages else "cross"
        matrix = np.diag([5, 4, 3, 2]).tolist()
        records.append(
            {
                "fold": cell.fold,
                "scheme": cell.scheme,
                "test_set": test_set,
                "setting": setting,
                "ua": ua,
                "wa": ua - 0.01,
                "confusion_matrix": matrix,
                "labels": LABELS,
                "num_utterances": 14,
            }
        )
    write_all_results(cell.results_dir, records, {"scheme": cell.scheme})
    if cell.embeddings:
        rng = np.random.default_rng(cell.fold)
        arrays = {
            f"{split}_{key}": rng.normal(size=(12, 6))
            for split in ("train", "validation")
            for key in ("embeddings", "wccn_embeddings")
        }
        arrays.update(
            train_labels=np.arange(12) % 4, validation_labels=np.arange(12) % 4, label_names=np.array(LABELS)
        )
        np.savez(Path(cell.output_dir) / EMBEDDINGS_FILE, **arrays)


class FakeRunner:
    """Stands in for `run_command`: records the commands, writes results, fails or interrupts where told."""

    def __init__(self, cells: list[Cell], fail: set[str] = frozenset(), interrupt_at: str | None = None):
        self.by_command = {command: cell for cell in cells for command in cell.commands}
        self.fail, self.interrupt_at, self.ran = fail, interrupt_at, []

    def __call__(self, command, log_path: Path) -> int:
        cell = self.by_command[tuple(command)]
        if cell.name == self.interrupt_at:
            raise KeyboardInterrupt
        self.ran.append(cell.name)
        if cell.name in self.fail:
            log_path.write_text("Traceback ...\nValueError: boom\n")
            return 3
        if tuple(command) == cell.commands[-1]:
            write_fake_results(cell)
        return 0


def test_cells_are_named_deterministically_and_cover_the_grid(tmp_path: Path) -> None:
    cells = expand_cells(load_experiment_config(write_grid(tmp_path)))
    names = [cell.name for cell in cells]
    # 2 schemes x 4 variants x 2 folds, plus DEEN/wccn with 30 shots on both folds.
    assert len(names) == len(set(names)) == 18
    assert names[:4] == [
        "DEEN/wccn/shots0/fold1",
        "DEEN/wccn/shots0/fold2",
        "DEEN/wccn/shots30/fold1",
        "DEEN/wccn/shots30/fold2",
    ]
    assert names == [cell.name for cell in expand_cells(load_experiment_config(write_grid(tmp_path)))]
    by_name = {cell.name: cell for cell in cells}
    neural = by_name["ENCH/no-wccn/shots0/fold2"]
    assert neural.test_sets == ("en", "zh", "de") and neural.train_languages == ("en", "zh")
    command = list(neural.commands[0])
    assert command[1:3] == ["run_classification.py", "configs/demo.yaml"]
    for flag, value in [
        ("--use_wccn", "false"),
        ("--train_languages", "en,zh"),
        ("--fold", "2"),
        ("--target_shots", "0"),
        ("--output_dir", neural.output_dir),
    ]:
        assert command[command.index(flag) + 1] == value
    baseline = by_name["DEEN/egemaps-wccn/shots0/fold1"]
    assert baseline.kind == "baseline" and "--wccn" in baseline.commands[0] and "baseline" in baseline.commands[0]
    assert baseline.results_dir == str(Path(baseline.output_dir) / "DEEN")
    # Embeddings only where asked for, and only without target shots (Fig. 5).
    assert sorted(c.name for c in cells if c.embeddings) == ["DEEN/no-wccn/shots0/fold1", "DEEN/wccn/shots0/fold1"]
    assert len(by_name["DEEN/wccn/shots0/fold1"].commands) == 2


def test_launcher_is_configurable(tmp_path: Path) -> None:
    config = load_experiment_config(write_grid(tmp_path, launcher="accelerate launch --cpu --num_processes 1"))
    command = expand_cells(config)[0].commands[0]
    assert command[:6] == ("accelerate", "launch", "--cpu", "--num_processes", "1", "run_classification.py")


def test_shards_partition_the_grid(tmp_path: Path) -> None:
    cells = expand_cells(load_experiment_config(write_grid(tmp_path)))
    shards = [shard_cells(cells, i, 3) for i in (1, 2, 3)]
    assert sorted(c.name for shard in shards for c in shard) == sorted(c.name for c in cells)
    assert parse_shard("2/3") == (2, 3)
    with pytest.raises(ValueError, match="1 <= I <= N"):
        parse_shard("4/3")


def test_failures_are_recorded_and_do_not_stop_the_grid(tmp_path: Path) -> None:
    config = load_experiment_config(write_grid(tmp_path))
    cells = expand_cells(config)
    runner = FakeRunner(cells, fail={"DEEN/no-wccn/shots0/fold2"})
    outcome = run_cells(cells, runner)
    assert outcome["failed"] == ["DEEN/no-wccn/shots0/fold2"] and len(outcome["done"]) == 17
    failure = json.loads((tmp_path / "run/DEEN/no-wccn/shots0/fold2" / FAILED_FILE).read_text())
    assert failure["reason"] == "exit code 3" and "ValueError: boom" in failure["log_tail"]
    assert [f["name"] for f in collect_failures(config.run_dir, cells)] == ["DEEN/no-wccn/shots0/fold2"]
    # The re-run retries only the failed cell, and its FAILED record goes once it succeeds.
    retry = FakeRunner(cells)
    outcome = run_cells(cells, retry)
    assert retry.ran == ["DEEN/no-wccn/shots0/fold2"] and len(outcome["skipped"]) == 17
    assert not (tmp_path / "run/DEEN/no-wccn/shots0/fold2" / FAILED_FILE).exists()


def test_interrupted_grid_resumes_without_rerunning_finished_cells(tmp_path: Path) -> None:
    cells = expand_cells(load_experiment_config(write_grid(tmp_path)))
    with pytest.raises(KeyboardInterrupt):
        run_cells(cells, FakeRunner(cells, interrupt_at=cells[5].name))
    resumed = FakeRunner(cells)
    outcome = run_cells(cells, resumed)
    assert outcome["skipped"] == [cell.name for cell in cells[:5]]
    assert resumed.ran[0] == cells[5].name and len(outcome["done"]) == 13


def test_cell_without_complete_results_is_not_finished(tmp_path: Path) -> None:
    cell = next(c for c in expand_cells(load_experiment_config(write_grid(tmp_path))) if c.kind == "baseline")
    outcome = run_cells([cell], lambda command, log: 0)  # exits 0 but writes nothing
    assert outcome["failed"] == [cell.name]
    assert "incomplete" in json.loads((Path(cell.output_dir) / FAILED_FILE).read_text())["reason"]


def test_manifest_round_trips_and_dry_run_lists_cells(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write_grid(tmp_path)
    cells = expand_cells(load_experiment_config(path))
    write_manifest(tmp_path / "run", cells, path)
    assert read_manifest(tmp_path / "run") == cells
    write_fake_results(cells[0])
    assert cli_main(["experiment", str(path), "--dry-run", "--shard", "1/2"]) == 0
    out = capsys.readouterr().out
    assert f"done  {cells[0].name}" in out and f"todo  {cells[2].name}" in out and cells[1].name not in out
    assert "9 cells (1 finished) of 18 in the grid" in out
    # A moved run directory (another mount, another working directory) still finds its cells.
    moved = (tmp_path / "run").rename(tmp_path / "moved")
    cell = read_manifest(moved)[0]
    assert cell.output_dir == str(moved / cells[0].name) and cell.is_finished()
