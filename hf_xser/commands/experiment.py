"""`hf-xser experiment CONFIG`: run the paper's grid (schemes × folds × variants × target shots), resumably.

Finished cells are skipped, failures are recorded (RUN_DIR/failures.json) without stopping the grid, and
`--shard I/N` gives a worker every N-th cell so several GPUs or machines share one run directory.
"""

from __future__ import annotations

import argparse
import logging


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "experiment", help="run an experiment grid (resumable); see configs/experiments/", description=__doc__
    )
    parser.add_argument("config", help="experiment YAML file, e.g. configs/experiments/demo.yaml")
    parser.add_argument("--run-dir", help="override the file's run_dir")
    parser.add_argument("--shard", help="I/N: run only this worker's share of the cells (1-based)")
    parser.add_argument(
        "--dry-run", action="store_true", help="list the cells, their status and commands; run nothing"
    )
    parser.add_argument("--only", help="run only cells whose name contains this text (e.g. DEEN/wccn)")
    parser.add_argument("--report", action="store_true", help="write the report when the cells are done")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import shlex

    from ..experiments.config import load_experiment_config
    from ..experiments.corpora import prepare_demo_corpora
    from ..experiments.grid import expand_cells, parse_shard, shard_cells
    from ..experiments.runner import collect_failures, run_cells, write_manifest

    logging.basicConfig(format="%(asctime)s - %(levelname)s - %(name)s - %(message)s", level=logging.INFO)
    config = load_experiment_config(args.config)
    if args.run_dir:
        config.run_dir = args.run_dir
    cells = expand_cells(config)
    mine = shard_cells(cells, *parse_shard(args.shard)) if args.shard else cells
    if args.only:
        mine = [cell for cell in mine if args.only in cell.name]
    if args.dry_run:
        for cell in mine:
            print(f"{'done' if cell.is_finished() else 'todo'}  {cell.name}")
            for command in cell.commands:
                print(f"      {shlex.join(command)}")
        print(f"{len(mine)} cells ({sum(c.is_finished() for c in mine)} finished) of {len(cells)} in the grid")
        return 0
    write_manifest(config.run_dir, cells, args.config)
    if config.demo_corpora and config.corpora_root:
        prepare_demo_corpora(config.corpora_root, config.training_config, config.training_overrides)
    try:
        outcome = run_cells(mine)
    except KeyboardInterrupt:
        # The interrupted cell has no results and no FAILED record: the next run starts it again.
        print(f"Interrupted. Run the same command again to resume; finished cells are skipped ({config.run_dir}).")
        return 130
    failures = collect_failures(config.run_dir, cells)
    print(", ".join(f"{len(names)} {what}" for what, names in outcome.items()) + f" (of {len(mine)} cells)")
    if failures:
        print(f"{len(failures)} failed cell(s) in the grid: {config.run_dir}/failures.json")
    if args.report:
        from ..experiments.report import build_report

        print(f"Report written to {build_report(config.run_dir)}")
    return 1 if outcome["failed"] else 0
