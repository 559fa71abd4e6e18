"""Argument files: `run_classification.py FILE.yaml [--overrides …]`, and the demo file when no argument is given."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import yaml
from transformers import HfArgumentParser

CONFIG_SUFFIXES = (".yaml", ".yml", ".json")


def read_config_file(path: str | Path) -> dict:
    """The mapping of argument names to values in a YAML or JSON file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: argument file not found")
    text = path.read_text()
    values = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(values, dict):
        raise ValueError(f"{path}: an argument file must hold a mapping of argument names to values")
    return values


def parse_args(parser: HfArgumentParser, argv: Sequence[str], default_file: str | Path) -> tuple:
    """Parse `argv` into the parser's dataclasses.

    With no argument the `default_file` is used. A first argument ending in .yaml/.yml/.json is read as an
    argument file whose values become the defaults, so the arguments after it override them.
    """
    argv = list(argv) or [str(default_file)]
    if argv[0].endswith(CONFIG_SUFFIXES):
        path, argv = argv[0], argv[1:]
        values = read_config_file(path)
        known = {action.dest for action in parser._actions}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{path}: unknown argument(s) {', '.join(unknown)}")
        # argparse converts string defaults with the argument's type, and leaves other defaults as they are.
        parser.set_defaults(
            **{k: v if isinstance(v, (bool, list)) or v is None else str(v) for k, v in values.items()}
        )
    return parser.parse_args_into_dataclasses(args=argv)
