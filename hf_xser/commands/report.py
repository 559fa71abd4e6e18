"""`hf-xser report RUN_DIR`: aggregate an experiment's cells into report.md, cells.csv and figures/*.png."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="Markdown report, CSV and figures of an experiment run directory", description=__doc__
    )
    parser.add_argument("run_dir", help="the run_dir of `hf-xser experiment`")
    parser.add_argument(
        "--search",
        action="append",
        default=[],
        help="a search's output folder to include (repeatable); searches under RUN_DIR are found on their own",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..experiments.report import build_report

    print(f"Report written to {build_report(args.run_dir, args.search)}")
    return 0
