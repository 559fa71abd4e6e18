"""`hf-xser search CONFIG`: tune lr, weight decay, dropout, beta and alpha per scheme on validation UA (§4.5).

Trials are stored in an optuna SQLite storage: re-running continues the study up to `n_trials` completed trials.
"""

from __future__ import annotations

import argparse
import logging


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "search", help="hyper-parameter search with optuna (resumable); see configs/experiments/", description=__doc__
    )
    parser.add_argument("config", help="search YAML file, e.g. configs/experiments/search-demo.yaml")
    parser.add_argument("--n-trials", type=int, help="override the file's n_trials (the total to reach)")
    parser.add_argument("--output-dir", help="override the file's output_dir")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..experiments.corpora import prepare_demo_corpora
    from ..experiments.search import load_search_config, run_search

    logging.basicConfig(format="%(asctime)s - %(levelname)s - %(name)s - %(message)s", level=logging.INFO)
    config = load_search_config(args.config)
    if args.n_trials is not None:
        config.n_trials = args.n_trials
    if args.output_dir:
        config.output_dir = args.output_dir
    if config.demo_corpora and config.corpora_root:
        prepare_demo_corpora(config.corpora_root, config.training_config, config.training_overrides)
    for summary in run_search(config):
        best = summary["best"]
        text = (
            f"best validation UA {100 * best['value']:.1f} % -> {summary['best_config']}"
            if best
            else "no trial completed"
        )
        print(f"{summary['study_name']}: {summary['completed_trials']} completed trials; {text}")
    return 0
