"""`RUN_DIR/report.md`, `RUN_DIR/cells.csv` and `RUN_DIR/figures/*.png` from a grid's cell folders.

The report holds the paper-shaped tables (Figs. 2, 3, 4, 6, Table 4), the figures, every failed or missing
cell, and the best configuration of every hyper-parameter search found under the run directory.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import figures, tables
from .aggregate import STATUSES, CellResult, read_cells, record_rows, summarise_cells
from .config import ExperimentConfig, load_experiment_config
from .grid import EMBEDDINGS_FILE
from .runner import EXPERIMENT_FILE, read_manifest
from .search import SUMMARY_FILE

REPORT_FILE = "report.md"
CSV_FILE = "cells.csv"


def write_csv(results: Sequence[CellResult], path: Path) -> Path:
    rows = record_rows(results)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["cell"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def _pca_figures(results: Sequence[CellResult], config: ExperimentConfig, out: Path) -> list[Path]:
    """One Fig. 5 per (scheme, fold, shots) with dumped embeddings: a column per model, input to its output network."""
    by_key: dict[tuple, dict] = {}
    for result in results:
        cell = result.cell
        path = Path(cell.output_dir) / EMBEDDINGS_FILE
        if not cell.embeddings or not path.is_file():
            continue
        data = np.load(path)
        panels = by_key.setdefault((cell.scheme, cell.fold, cell.shots), {})
        label = config.variant(cell.variant).display
        common = {
            "label_names": data["label_names"],
            "train_labels": data["train_labels"],
            "validation_labels": data["validation_labels"],
        }
        if not np.array_equal(data["train_embeddings"], data["train_wccn_embeddings"]):
            panels[f"{label}: before Deep-WCCN"] = {
                **common,
                "train": data["train_embeddings"],
                "validation": data["validation_embeddings"],
            }
        panels[label] = {
            **common,
            "train": data["train_wccn_embeddings"],
            "validation": data["validation_wccn_embeddings"],
        }
    return [
        figures.pca_figure(
            panels,
            f"{scheme} fold {fold}: embeddings entering the output network (PCA)",
            out / f"pca_{scheme}_fold{fold}_shots{shots}.png",
        )
        for (scheme, fold, shots), panels in sorted(by_key.items())
    ]


def write_figures(summary: list[dict], results: Sequence[CellResult], config: ExperimentConfig, out: Path):
    """Every figure the grid has data for; returns {title: path}."""
    out.mkdir(parents=True, exist_ok=True)
    made = {
        "Within-language (Fig. 2)": figures.within_language_figure(summary, config, out / "within_language.png"),
        "Cross- vs within-language (Fig. 3)": figures.cross_vs_within_figure(
            summary, config, out / "cross_vs_within.png"
        ),
        "(Deep-)WCCN gains (Fig. 4)": figures.gains_figure(summary, config, out / "wccn_gains.png"),
        "Target-language shots (Fig. 6)": figures.shots_figure(summary, config, out / "target_shots.png"),
    }
    for scheme in config.schemes:
        for variant in config.variants:
            path = figures.confusion_figure(
                summary, config, scheme, variant.name, out / f"confusion_{scheme}_{variant.name}.png"
            )
            made[f"Confusion matrices, {scheme}, {variant.display}"] = path
    for path in _pca_figures(results, config, out):
        made[f"Embeddings PCA (Fig. 5), {path.stem.removeprefix('pca_')}"] = path
    return {title: path for title, path in made.items() if path is not None}


def find_searches(run_dir: Path, extra: Sequence[str | os.PathLike] = ()) -> list[dict]:
    """The summaries (`search_summary.json`) of the searches under `run_dir` and under the extra folders."""
    paths = [path.resolve() for folder in (run_dir, *extra) for path in sorted(Path(folder).rglob(SUMMARY_FILE))]
    return [json.loads(path.read_text()) for path in dict.fromkeys(paths)]


def _searches_section(searches: Sequence[dict]) -> list[str]:
    lines = ["## Hyper-parameter search (§4.5, Table 3)", ""]
    for study in searches:
        best = study.get("best")
        lines.append(
            f"Study `{study['study_name']}` ({study['scheme']}): {study['completed_trials']} trials completed."
        )
        if best:
            lines.append(
                f"Best validation UA {100 * best['value']:.1f} % (trial {best['number']}), written to "
                f"`{study['best_config']}`:"
            )
            lines += [
                "",
                tables.markdown_table(["parameter", "value"], [[k, f"{v:.4g}"] for k, v in best["params"].items()]),
            ]
        lines.append("")
    return lines


def _status_section(results: Sequence[CellResult]) -> list[str]:
    counts = {status: sum(r.status == status for r in results) for status in STATUSES}
    lines = ["## Cells", "", ", ".join(f"{n} {status}" for status, n in counts.items()) + f" of {len(results)}.", ""]
    unfinished = [r for r in results if r.status != "finished"]
    if unfinished:
        lines += ["Not in the tables (means over fewer folds say so):", ""]
        lines.append(
            tables.markdown_table(
                ["cell", "status", "reason"], [[r.cell.name, r.status, r.reason] for r in unfinished]
            )
        )
        lines.append("")
    return lines


def build_report(run_dir: str | os.PathLike, searches: Sequence[str | os.PathLike] = ()) -> Path:
    """Aggregate every cell of `run_dir` and write the report, the CSV and the figures; returns the report's path."""
    run_dir = Path(run_dir)
    config = load_experiment_config(run_dir / EXPERIMENT_FILE)
    results = read_cells(read_manifest(run_dir))
    summary = summarise_cells(results)
    published = tables.load_published()
    write_csv(results, run_dir / CSV_FILE)
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    made = write_figures(summary, results, config, run_dir / "figures")

    lines = [
        f"# Experiment report: `{run_dir}`",
        "",
        f"Schemes {', '.join(config.schemes)}; folds {', '.join(map(str, config.folds))}; "
        f"variants {', '.join(v.display for v in config.variants)}. Mean ± std over folds (population std), in %. "
        f"Every cell's numbers: `{CSV_FILE}`.",
        "",
    ]
    lines += _status_section(results)
    lines += [
        "## Within-language (Fig. 2)",
        "",
        tables.within_table(summary, config, "ua"),
        "",
        tables.within_table(summary, config, "wa"),
        "",
        "## Cross- vs within-language (Fig. 3)",
        "",
        "WL: within-language, averaged over the schemes trained on the language; CL: cross-language.",
        "",
        tables.cross_vs_within_table(summary, config, "ua"),
        "",
        tables.cross_vs_within_table(summary, config, "wa"),
        "",
        "## Deep-WCCN / WCCN gains, cross-language (Fig. 4)",
        "",
        tables.gains_table(summary, config, published),
        "",
        "## Target-language shots, cross-language (Fig. 6)",
        "",
        tables.shots_table(summary, config, published),
        "",
        f"## Published numbers (Table 4), {config.variant(config.main_variant).display}",
        "",
        tables.published_table(summary, config, published),
        "",
        "Paper numbers from the text; what its extraction lost:",
        "",
    ]
    lines += [f"- {note}" for note in published.get("notes", [])] + [""]
    found = find_searches(run_dir, searches)
    if found:
        lines += _searches_section(found)
    lines += ["## Figures", ""]
    lines += [f"### {title}\n\n![{title}]({path.relative_to(run_dir)})\n" for title, path in made.items()]
    path = run_dir / REPORT_FILE
    path.write_text("\n".join(lines) + "\n")
    return path
