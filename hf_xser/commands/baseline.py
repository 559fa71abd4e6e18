"""`hf-xser baseline`: openSMILE functionals + random forest (optionally classical WCCN) on the paper's schemes.

Writes `<output-dir>/<scheme>/all_results.json` per scheme (the neural runs' shape) and prints the table.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

CORPUS_NAMES = ("emodb", "ravdess", "esd", "casia")
# Which corpus folders can serve a language, for the "missing corpus" message.
LANGUAGE_CORPORA = {"de": ("emodb",), "en": ("ravdess",), "zh": ("esd", "casia")}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "baseline",
        help="openSMILE functionals + random forest (with or without WCCN) on the paper's schemes and folds",
        description=__doc__,
    )
    parser.add_argument("--features", default="egemaps", help="egemaps (eGeMAPSv02, 88) or emobase (988)")
    parser.add_argument("--wccn", action="store_true", help="classical WCCN between standardisation and forest")
    parser.add_argument("--beta", type=float, default=0.2, help="WCCN smoothing, eq. 7 (default 0.2)")
    schemes = parser.add_mutually_exclusive_group()
    schemes.add_argument("--train-languages", help="training languages, comma separated (default de,en)")
    schemes.add_argument("--schemes", help="several schemes at once, e.g. DECH,DEEN,ENCH")
    parser.add_argument("--test-languages", help="cross-language test languages; default: the other corpora's")
    parser.add_argument("--fold", default="all", help="a fold number, or 'all' (every fold all corpora have)")
    parser.add_argument("--corpora-root", help="folder holding emodb/, ravdess/, esd/ or casia/")
    for name in CORPUS_NAMES:
        parser.add_argument(f"--{name}-dir", help=f"{name} folder (overrides --corpora-root)")
    parser.add_argument("--output-dir", help="default outputs/baselines/<method>, e.g. outputs/baselines/egemaps+rf")
    parser.add_argument("--num-workers", type=int, default=1, help="openSMILE worker processes (default 1)")
    parser.add_argument("--seed", type=int, default=42, help="the forest's random state (default 42)")
    parser.add_argument("--classes", default="4", help="'4' (angry, happy, neutral, sad) or 'all'")
    parser.add_argument("--skip-invalid", action="store_true", help="skip unusable corpus files instead of failing")
    parser.add_argument("--cache-dir", help="prepared-corpus cache (default: the datasets cache)")
    parser.add_argument("--feature-cache-dir", help="feature cache (default $HF_XSER_CACHE/features)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.set_defaults(func=run)


def corpus_dirs(args: argparse.Namespace) -> dict[str, str]:
    """Corpus name -> folder, from the explicit folders and the sub-folders of --corpora-root."""
    dirs = {}
    for name in CORPUS_NAMES:
        explicit = getattr(args, f"{name}_dir")
        if explicit:
            if not Path(explicit).is_dir():
                raise ValueError(f"--{name}-dir {explicit}: not a folder")
            dirs[name] = explicit
        elif args.corpora_root and (Path(args.corpora_root) / name).is_dir():
            dirs[name] = str(Path(args.corpora_root) / name)
    if args.corpora_root and not Path(args.corpora_root).is_dir():
        raise ValueError(f"--corpora-root {args.corpora_root}: not a folder")
    return dirs


def _check_languages(languages: set[str], corpora: dict[str, str]) -> None:
    for language in sorted(languages):
        candidates = LANGUAGE_CORPORA.get(language, ())
        if not any(name in corpora for name in candidates):
            flags = " or ".join(f"--{name}-dir" for name in candidates) or "a corpus folder"
            raise ValueError(f"no corpus folder for language {language!r}: pass {flags} (or --corpora-root)")


def run(args: argparse.Namespace) -> int:
    from ..baselines.run import (
        BaselineConfig,
        load_feature_tables,
        parse_scheme,
        prepare_corpora,
        run_scheme,
    )
    from ..data import resolve_folds
    from ..results import format_table, write_all_results

    logging.basicConfig(format="%(asctime)s - %(levelname)s - %(name)s - %(message)s", level=logging.INFO)
    config = BaselineConfig(
        features=args.features,
        wccn=args.wccn,
        beta=args.beta,
        seed=args.seed,
        classes=args.classes,
        skip_invalid=args.skip_invalid,
        cache_dir=args.cache_dir,
        feature_cache_dir=args.feature_cache_dir,
        num_workers=args.num_workers,
        progress=not args.no_progress,
    )
    if args.schemes:
        train_sets = [parse_scheme(scheme.strip()) for scheme in args.schemes.split(",")]
    else:
        train_sets = [tuple((args.train_languages or "de,en").split(","))]
    test_languages = args.test_languages.split(",") if args.test_languages else None
    corpora = corpus_dirs(args)
    _check_languages({lang for train in train_sets for lang in train} | set(test_languages or ()), corpora)

    builders = prepare_corpora(corpora, config)
    # Checked before extracting, so a wrong fold fails in seconds.
    folds = resolve_folds(args.fold, {name: builder.fold_table().num_folds for name, builder in builders.items()})
    tables = load_feature_tables(builders, config)
    output_dir = Path(args.output_dir or Path("outputs") / "baselines" / config.method)
    records = []
    for train_languages in train_sets:
        scheme_records, settings = run_scheme(corpora, train_languages, folds, config, tables, test_languages)
        path = write_all_results(output_dir / settings["scheme"], scheme_records, settings)
        logging.getLogger(__name__).info("Results written to %s", path)
        records += scheme_records
    print(f"{config.method} (folds {', '.join(map(str, folds))})")
    print(format_table(records))
    return 0
