"""The report's Markdown tables, in the paper's shapes (Figs. 2, 3, 4, 6 and Table 4), from the fold summary.

Numbers are percentages, mean ± std over folds; a mean over fewer folds than the grid has says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import yaml

from ..baselines.run import parse_scheme
from ..data.mixtures import scheme_name
from .aggregate import lookup
from .config import ExperimentConfig

PUBLISHED_FILE = Path(__file__).with_name("published.yaml")
METRICS = {"ua": "UA", "wa": "WA"}


def load_published(path: str | Path = PUBLISHED_FILE) -> dict:
    """The paper's published numbers (`published.yaml`)."""
    return yaml.safe_load(Path(path).read_text())


def code(test_set: str) -> str:
    """The paper's letters for a test language: de -> DE, zh -> CH."""
    return scheme_name([test_set])


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def mean_std(entry: dict | None, metric: str) -> str:
    """`"61.2 ± 3.4"`; with folds missing `"61.2 ± 3.4 (2/5 folds)"`; `"–"` when there is no result."""
    if entry is None:
        return "–"
    text = f"{100 * entry[f'{metric}_mean']:.1f} ± {100 * entry[f'{metric}_std']:.1f}"
    if entry["missing_folds"]:
        total = len(entry["folds"]) + len(entry["missing_folds"])
        text += f" ({len(entry['folds'])}/{total} folds)"
    return text


def test_cases(config: ExperimentConfig, setting: str) -> list[tuple[str, str]]:
    """(scheme, test set) pairs of a setting, in the paper's order: DECH->DE, DECH->CH, DEEN->DE, ..."""
    cases = []
    for scheme in config.schemes:
        trained = set(parse_scheme(scheme))
        for lang in config.languages:
            if (lang in trained) == (setting == "within"):
                cases.append((scheme, lang))
    return cases


def within_table(summary: list[dict], config: ExperimentConfig, metric: str) -> str:
    """Fig. 2: within-language results, one row per scheme -> training language, one column per variant."""
    rows = [
        [f"{scheme}->{code(lang)}"]
        + [
            mean_std(lookup(summary, variant=v.name, scheme=scheme, shots=0, test_set=lang), metric)
            for v in config.variants
        ]
        for scheme, lang in test_cases(config, "within")
    ]
    return markdown_table([f"{METRICS[metric]} %", *(v.display for v in config.variants)], rows)


def _average(entries: list[dict], metric: str) -> float | None:
    return float(np.mean([e[f"{metric}_mean"] for e in entries])) if entries else None


def cross_vs_within_values(summary: list[dict], config: ExperimentConfig, metric: str) -> dict:
    """Fig. 3: per variant and test language, within (averaged over the schemes trained on it) and cross."""
    values = {}
    for variant in config.variants:
        for lang in config.languages:
            for setting in ("within", "cross"):
                entries = [
                    e
                    for e in summary
                    if e["variant"] == variant.name
                    and e["shots"] == 0
                    and e["test_set"] == lang
                    and e["setting"] == setting
                ]
                values[(variant.name, lang, setting)] = _average(entries, metric)
    return values


def cross_vs_within_table(summary: list[dict], config: ExperimentConfig, metric: str) -> str:
    values = cross_vs_within_values(summary, config, metric)
    header = [f"{METRICS[metric]} %"] + [f"{v.display}-{s}" for v in config.variants for s in ("WL", "CL")]
    rows = []
    for lang in config.languages:
        cells = [values[(v.name, lang, s)] for v in config.variants for s in ("within", "cross")]
        rows.append([f"->{code(lang)}", *("–" if x is None else f"{100 * x:.1f}" for x in cells)])
    return markdown_table(header, rows)


def gains(summary: list[dict], config: ExperimentConfig) -> list[dict]:
    """Fig. 4: per ablation and cross-language case, the gain (with − without) in UA and WA, percentage points."""
    out = []
    for ablation in config.ablations:
        for scheme, lang in test_cases(config, "cross"):
            with_, without = (
                lookup(summary, variant=name, scheme=scheme, shots=0, test_set=lang)
                for name in (ablation.with_variant, ablation.without_variant)
            )
            if with_ is None or without is None:
                continue
            entry = {
                "ablation": ablation.name,
                "published": ablation.published,
                "case": f"{scheme}->{code(lang)}",
                "scheme": scheme,
                "test_set": lang,
            }
            for metric in METRICS:
                entry[metric] = 100 * (with_[f"{metric}_mean"] - without[f"{metric}_mean"])
            out.append(entry)
    return out


def gains_table(summary: list[dict], config: ExperimentConfig, published: dict) -> str:
    quoted = {(g["method"], g["scheme"], g["test_set"]): g for g in published.get("wccn_gains", [])}
    rows = []
    for gain in gains(summary, config):
        paper = quoted.get((gain["published"], gain["scheme"], gain["test_set"]))
        rows.append(
            [
                gain["ablation"],
                gain["case"],
                f"{gain['ua']:+.1f}",
                f"{gain['wa']:+.1f}",
                f"{paper['ua']:+.1f} / {paper['wa']:+.1f}" if paper else "–",
            ]
        )
    return markdown_table(["ablation", "cross-language case", "ΔUA (pp)", "ΔWA (pp)", "paper ΔUA / ΔWA"], rows)


def shot_curves(summary: list[dict], config: ExperimentConfig) -> dict[tuple[str, str, str], dict[int, dict]]:
    """Fig. 6: per (variant, scheme, cross test set) that has target-shot cells, shots -> summary entry."""
    curves = {}
    for variant in config.variants:
        for scheme, lang in test_cases(config, "cross"):
            points = {
                e["shots"]: e
                for e in summary
                if e["variant"] == variant.name and e["scheme"] == scheme and e["test_set"] == lang
            }
            if len(points) > 1:
                curves[(variant.name, scheme, lang)] = dict(sorted(points.items()))
    return curves


def shots_table(summary: list[dict], config: ExperimentConfig, published: dict) -> str:
    curves = shot_curves(summary, config)
    shots = sorted({s for points in curves.values() for s in points})
    quoted = {(g["scheme"], g["test_set"]): g for g in published.get("target_shot_gains", [])}
    rows = []
    for (variant, scheme, lang), points in curves.items():
        for metric, name in METRICS.items():
            paper = quoted.get((scheme, lang))
            rows.append(
                [
                    config.variant(variant).display,
                    f"{scheme}->{code(lang)}",
                    name,
                    *(mean_std(points.get(s), metric) for s in shots),
                    f"+{paper[metric]} at {paper['shots']}" if paper else "–",
                ]
            )
    return markdown_table(["variant", "case", "metric", *(f"{s} shots" for s in shots), "paper gain (pp)"], rows)


def published_table(summary: list[dict], config: ExperimentConfig, published: dict) -> str:
    """Table 4 (and §5.2's best cross-language results): the paper's numbers beside ours for the main variant."""
    rows = []
    entries = [("Table 4", row) for row in published.get("table4", [])]
    entries += [
        (
            "§5.2",
            {
                **row,
                "setting": "cross",
                "schemes": [row["scheme"]],
                "row": f"{row['scheme']} -> {code(row['test_set'])}",
            },
        )
        for row in published.get("cross_language_best", [])
    ]
    for source, row in entries:
        candidates = [
            lookup(
                summary,
                variant=config.main_variant,
                scheme=scheme,
                shots=0,
                test_set=row["test_set"],
                setting=row["setting"],
            )
            for scheme in row["schemes"]
        ]
        candidates = [c for c in candidates if c is not None]
        best = max(candidates, key=lambda c: c["ua_mean"], default=None)
        rows.append(
            [
                source,
                row["row"],
                row["setting"],
                f"{row['ua']:.1f}",
                f"{row['wa']:.1f}",
                mean_std(best, "ua"),
                mean_std(best, "wa"),
                best["scheme"] if best else "–",
            ]
        )
    header = ["source", "paper row", "setting", "paper UA %", "paper WA %", "ours UA %", "ours WA %", "our scheme"]
    return markdown_table(header, rows)
