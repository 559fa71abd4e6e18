"""`hf-xser predict MODEL INPUT...`: emotion labels and class probabilities for audio files of any length.

Exit status: 0 when every file was scored, 1 when some file could not be (it is still in the output, with its
`error`, and named on stderr; the others are scored), 2 for usage errors (nothing to score, bad options).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "predict",
        help="label audio files with a trained model (sliding windows for long recordings)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", help="a saved model folder or a Hub id")
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="audio files, folders (searched recursively) or CSV/TSV manifests "
        "with a `path` column (relative to the manifest)",
    )
    parser.add_argument("--output", "-o", type=Path, help="write here instead of stdout (format from the suffix)")
    parser.add_argument("--format", choices=("json", "csv"), help="output format (default: the suffix, else json)")
    parser.add_argument("--window-seconds", type=float, default=2.0, help="window length, the training crop (2.0)")
    parser.add_argument("--hop-seconds", type=float, default=1.0, help="distance between window starts (1.0)")
    parser.add_argument("--batch-size", type=int, default=16, help="windows per forward pass (16)")
    parser.add_argument("--device", default="auto", help="cpu, cuda, cuda:1, ... (auto: cuda when available)")
    parser.add_argument("--bf16", action="store_true", help="bfloat16 autocast for the forward pass")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from ..inference import Predictor, collect_inputs, write_csv, write_json

    output_format = args.format or (args.output.suffix.lstrip(".").lower() if args.output else "json")
    if output_format not in ("json", "csv"):
        print(f"error: cannot tell the format of {args.output}; pass --format json or csv", file=sys.stderr)
        return 2
    if args.window_seconds <= 0 or args.hop_seconds <= 0 or args.batch_size < 1:
        print("error: --window-seconds, --hop-seconds and --batch-size must be positive", file=sys.stderr)
        return 2
    paths = collect_inputs(args.inputs)
    if not paths:
        print(f"error: no audio files in {' '.join(args.inputs)}", file=sys.stderr)
        return 2
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    predictor = Predictor.from_pretrained(
        args.model,
        device=device,
        window_seconds=args.window_seconds,
        hop_seconds=args.hop_seconds,
        batch_size=args.batch_size,
        bf16=args.bf16,
    )
    records = []
    for record in predictor.predict(paths):
        if record["error"] is not None:
            print(f"error: {record['path']}: {record['error']}", file=sys.stderr)
        records.append(record)
    metadata = {
        "model": args.model,
        "window_seconds": args.window_seconds,
        "hop_seconds": args.hop_seconds,
        "aggregation": "mean of window probabilities",
    }
    handle = open(args.output, "w", newline="", encoding="utf-8") if args.output else sys.stdout
    try:
        if output_format == "json":
            write_json(records, handle, metadata)
        else:
            write_csv(records, handle, predictor.labels)
    finally:
        if args.output:
            handle.close()
    failed = sum(record["error"] is not None for record in records)
    print(f"scored {len(records) - failed} of {len(records)} files", file=sys.stderr)
    return 1 if failed else 0
