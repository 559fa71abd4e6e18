"""`hf-xser prepare CORPUS DATA_DIR`: prepare a corpus, save it with its dataset card, optionally push it to the Hub.

The local copy is `save_to_disk` output (reload with `datasets.load_from_disk`) plus the card as README.md. With
`--push-to-hub` the same splits go to the Hub as Parquet with the card, so others `load_dataset` it with no code.
If the push fails (offline, no token, no network) the command says so, keeps the local copy and exits with 1,
so scripts notice that nothing was published.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import Counter
from pathlib import Path

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("prepare", help="prepare a corpus as a Hugging Face dataset (and push it)")
    parser.add_argument("corpus", choices=("emodb", "ravdess", "esd", "casia", "manifest"))
    parser.add_argument("data_dir", help="the corpus folder as downloaded (manifest: the CSV/TSV file)")
    parser.add_argument("--fold", type=int, help="1-based fold: train/validation/test by speaker (default: all)")
    parser.add_argument("--classes", choices=("4", "all"), default="4", help="the 4 shared classes or all native")
    parser.add_argument("--skip-invalid", action="store_true", help="skip unusable files and list them")
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="builder option, e.g. language=en (ESD), label_map=joy=happy (manifest); repeatable",
    )
    parser.add_argument("--output-dir", type=Path, help="local copy (default: outputs/datasets/<name>)")
    parser.add_argument("--push-to-hub", metavar="REPO", help="Hub dataset repository, e.g. user/emodb-xser")
    parser.set_defaults(func=run)


def _options(pairs: list[str]) -> dict[str, str | int]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--option expects KEY=VALUE, got {pair!r}")
        options[key] = int(value) if value.isdigit() and key == "num_folds" else value
    return options


def _card(builder_card: str, dataset, args: argparse.Namespace, skipped: list[dict[str, str]]) -> str:
    """The builder's card, plus what this copy holds (config, sizes per split and class, skipped files)."""
    splits = dataset if hasattr(dataset, "keys") else {"train": dataset}
    lines = [
        "",
        "## This copy",
        "",
        f"Prepared by `hf-xser prepare` with classes={args.classes!r}, fold={args.fold}.",
        "",
        "| split | utterances | per class |",
        "|---|---|---|",
    ]
    for name, split in splits.items():
        names = split.features["label"].names
        counts = Counter(split["label"])
        per_class = ", ".join(f"{names[label]} {n}" for label, n in sorted(counts.items()))
        lines.append(f"| {name} | {len(split)} | {per_class} |")
    if skipped:
        lines += ["", f"{len(skipped)} invalid file(s) were skipped: see `skipped_files.json`."]
    return builder_card.rstrip() + "\n" + "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    import importlib

    from hf_xser.data import BUILDERS, corpus_builder, split_by_fold

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    builder = corpus_builder(
        args.corpus, args.data_dir, args.classes, skip_invalid=args.skip_invalid, **_options(args.option)
    )
    dataset = builder.as_dataset(split="train")
    if args.fold is not None:
        dataset = split_by_fold(dataset, builder.fold_table().split(args.fold))
    name = f"{args.corpus}-{args.classes}class" + (f"-fold{args.fold}" if args.fold else "")
    output = args.output_dir or Path("outputs") / "datasets" / name
    dataset.save_to_disk(str(output))
    card_file = Path(importlib.import_module(BUILDERS[args.corpus].__module__).__file__).with_name("README.md")
    card = _card(card_file.read_text(encoding="utf-8"), dataset, args, builder.skipped_files)
    (output / "README.md").write_text(card, encoding="utf-8")
    if builder.skipped_files:
        (output / "skipped_files.json").write_text(json.dumps(builder.skipped_files, indent=1), encoding="utf-8")
    print(f"Saved {name} to {output} (reload with datasets.load_from_disk).")
    if not args.push_to_hub:
        return 0
    return _push(dataset, card, args.push_to_hub, output)


def _push(dataset, card: str, repo: str, output: Path) -> int:
    from huggingface_hub import HfApi

    try:
        # The card goes first: push_to_hub then merges the dataset's metadata (features, splits) into it.
        api = HfApi()
        api.create_repo(repo, repo_type="dataset", exist_ok=True)
        api.upload_file(path_or_fileobj=card.encode(), path_in_repo="README.md", repo_id=repo, repo_type="dataset")
        dataset.push_to_hub(repo)
    except Exception as error:  # offline mode, no network, no token, no rights: all leave the local copy usable
        print(
            f"Could not push to the Hub repository {repo!r}: {type(error).__name__}: {error}\n"
            f"Nothing was published. The prepared dataset and its card are kept at {output}; push again when "
            "online (e.g. `datasets.load_from_disk(...).push_to_hub(...)`)."
        )
        return 1
    print(f"Pushed {repo} to the Hub as Parquet with its dataset card.")
    return 0
