"""The `hf-xser` console script: one sub-command per module in `hf_xser.commands`."""

from __future__ import annotations

import argparse
import importlib

# Each module defines `register(subparsers)`, which adds its parser and sets `func` to the code it runs.
# Heavy imports stay inside those functions so `hf-xser --help` is quick.
COMMAND_MODULES = ("env", "baseline", "prepare", "predict", "experiment", "report", "search")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hf-xser", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"hf_xser.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    raise SystemExit(main())
