"""`hf-xser env`: versions, threads, devices and the corpora folder, for bug reports."""

from __future__ import annotations

import argparse
import os
import platform
from importlib.metadata import PackageNotFoundError, version

PACKAGES = ("hf-xser", "torch", "transformers", "datasets", "evaluate", "accelerate", "peft", "opensmile", "soxr")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("env", help="print versions, threads, devices and where the corpora are")
    parser.set_defaults(func=run)


def collect() -> dict[str, str]:
    import torch

    info = {"python": platform.python_version(), "platform": platform.platform()}
    for name in PACKAGES:
        try:
            info[name] = version(name)
        except PackageNotFoundError:
            info[name] = "not installed"
    info["torch threads"] = str(torch.get_num_threads())
    info["OMP_NUM_THREADS"] = os.environ.get("OMP_NUM_THREADS", "unset")
    info["cuda"] = f"{torch.cuda.device_count()} device(s)" if torch.cuda.is_available() else "not available"
    corpora = os.environ.get("HF_XSER_CORPORA")
    info["HF_XSER_CORPORA"] = f"{corpora} ({'found' if corpora and os.path.isdir(corpora) else 'missing'})"
    return info


def run(args: argparse.Namespace) -> int:
    for key, value in collect().items():
        print(f"- {key}: {value}")
    return 0
