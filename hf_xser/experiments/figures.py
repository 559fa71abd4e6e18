"""The report's PNG figures (matplotlib, Agg): the paper's Figs. 2-6 for the grid's own results.

Each function writes one file and returns its path, or None when the grid holds nothing to draw.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display; set before pyplot is imported

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .aggregate import lookup  # noqa: E402
from .config import ExperimentConfig  # noqa: E402
from .tables import METRICS, code, cross_vs_within_values, gains, shot_curves, test_cases  # noqa: E402


def _save(figure: plt.Figure, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=110, bbox_inches="tight")  # "tight" keeps the legends placed outside the axes
    plt.close(figure)
    return path


def _legend_outside(axis: plt.Axes) -> None:
    """The legend right of the last panel, so it never hides a bar."""
    axis.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))


def _grouped_bars(axis: plt.Axes, groups: list[str], series: dict[str, list[float | None]], ylabel: str) -> None:
    """Bars per group, one colour per series; missing values are left out (not drawn as zero)."""
    width = 0.8 / max(len(series), 1)
    positions = np.arange(len(groups))
    for index, (name, values) in enumerate(series.items()):
        heights = np.array([np.nan if v is None else v for v in values], dtype=float)
        axis.bar(positions + (index - (len(series) - 1) / 2) * width, heights, width, label=name)
    axis.set_xticks(positions, groups, rotation=20)
    axis.set_ylabel(ylabel)
    axis.grid(axis="y", alpha=0.3)


def within_language_figure(summary: list[dict], config: ExperimentConfig, path: Path) -> Path | None:
    """Fig. 2: within-language UA and WA per scheme -> language, one bar per variant."""
    cases = test_cases(config, "within")
    if not summary or not cases:
        return None
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for axis, (metric, name) in zip(axes, METRICS.items()):
        series = {}
        for variant in config.variants:
            entries = [lookup(summary, variant=variant.name, scheme=s, shots=0, test_set=lang) for s, lang in cases]
            series[variant.display] = [None if e is None else 100 * e[f"{metric}_mean"] for e in entries]
        _grouped_bars(axis, [f"{s}->{code(lang)}" for s, lang in cases], series, f"{name} (%)")
        axis.set_xlabel("training scheme -> test language")
        axis.set_title(f"Within-language {name}")
    _legend_outside(axes[-1])
    return _save(figure, path)


def cross_vs_within_figure(summary: list[dict], config: ExperimentConfig, path: Path) -> Path | None:
    """Fig. 3: per test language, each variant's within-language (-WL) and cross-language (-CL) results."""
    if not summary:
        return None
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for axis, (metric, name) in zip(axes, METRICS.items()):
        values = cross_vs_within_values(summary, config, metric)
        series = {
            f"{v.display}-{tag}": [
                None if values[(v.name, lang, s)] is None else 100 * values[(v.name, lang, s)]
                for lang in config.languages
            ]
            for v in config.variants
            for tag, s in (("WL", "within"), ("CL", "cross"))
        }
        _grouped_bars(axis, [f"->{code(lang)}" for lang in config.languages], series, f"{name} (%)")
        axis.set_xlabel("test language")
        axis.set_title(f"Cross- vs within-language {name}")
    _legend_outside(axes[-1])
    return _save(figure, path)


def gains_figure(summary: list[dict], config: ExperimentConfig, path: Path) -> Path | None:
    """Fig. 4: cross-language gain of each ablation (with − without), percentage points."""
    entries = gains(summary, config)
    if not entries:
        return None
    cases = list(dict.fromkeys(e["case"] for e in entries))
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    for axis, (metric, name) in zip(axes, METRICS.items()):
        series = {
            ablation.name: [
                next((e[metric] for e in entries if e["ablation"] == ablation.name and e["case"] == c), None)
                for c in cases
            ]
            for ablation in config.ablations
        }
        _grouped_bars(axis, cases, series, f"Δ{name} (percentage points)")
        axis.axhline(0, color="black", linewidth=0.8)
        axis.set_xlabel("cross-language case")
        axis.set_title(f"Gain in {name} from (Deep-)WCCN")
    _legend_outside(axes[-1])
    return _save(figure, path)


def shots_figure(summary: list[dict], config: ExperimentConfig, path: Path) -> Path | None:
    """Fig. 6: cross-language UA and WA against the target-language shots added to training (with fold std)."""
    curves = shot_curves(summary, config)
    if not curves:
        return None
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    for axis, (metric, name) in zip(axes, METRICS.items()):
        for (variant, scheme, lang), points in curves.items():
            shots = list(points)
            means = [100 * points[s][f"{metric}_mean"] for s in shots]
            stds = [100 * points[s][f"{metric}_std"] for s in shots]
            label = f"{scheme}->{code(lang)} ({config.variant(variant).display})"
            axis.errorbar(shots, means, yerr=stds, marker="o", capsize=3, label=label)
        axis.set_xlabel("target-language training inputs (2 s each)")
        axis.set_ylabel(f"{name} (%)")
        axis.set_title(f"Cross-language {name} with target-language data")
        axis.grid(alpha=0.3)
    _legend_outside(axes[-1])
    return _save(figure, path)


def confusion_figure(summary: list[dict], config: ExperimentConfig, scheme: str, variant: str, path: Path):
    """Confusion matrices summed over folds, one panel per test set, rows normalised to recall."""
    entries = [lookup(summary, variant=variant, scheme=scheme, shots=0, test_set=lang) for lang in config.languages]
    entries = [e for e in entries if e is not None]
    if not entries:
        return None
    figure, axes = plt.subplots(1, len(entries), figsize=(4.2 * len(entries), 4), squeeze=False)
    for axis, entry in zip(axes[0], entries):
        counts = np.array(entry["confusion_matrix"], dtype=float)
        recall = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        axis.imshow(recall, vmin=0, vmax=1, cmap="Blues")
        for (row, column), value in np.ndenumerate(counts):
            colour = "white" if recall[row, column] > 0.5 else "black"
            axis.text(column, row, f"{int(value)}", ha="center", va="center", color=colour, fontsize=9)
        ticks = range(len(entry["labels"]))
        axis.set_xticks(ticks, entry["labels"], rotation=30)
        axis.set_yticks(ticks, entry["labels"])
        axis.set_xlabel("predicted")
        axis.set_ylabel("true")
        axis.set_title(f"{scheme}->{code(entry['test_set'])} ({entry['setting']})")
    figure.suptitle(f"{config.variant(variant).display}: confusion over folds {entries[0]['folds']}")
    return _save(figure, path)


def _pca(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Project onto the first two principal components of `train` (fitted on the training set only, §5.3)."""
    mean = train.mean(axis=0)
    _, _, components = np.linalg.svd(train - mean, full_matrices=False)
    return [(x - mean) @ components[:2].T for x in (train, *others)]


def pca_figure(panels: dict[str, dict], title: str, path: Path) -> Path:
    """Fig. 5: per model (columns), PCA of training (top) and validation (bottom) embeddings coloured by class.

    `panels` maps a column title to `{"train": X, "train_labels": y, "validation": X, "validation_labels": y,
    "label_names": names}`.
    """
    figure, axes = plt.subplots(2, len(panels), figsize=(4.5 * len(panels), 8), squeeze=False)
    for column, (name, data) in enumerate(panels.items()):
        projected = dict(zip(("train", "validation"), _pca(data["train"], data["validation"])))
        for row, split in enumerate(("train", "validation")):
            axis = axes[row][column]
            for label, label_name in enumerate(data["label_names"]):
                points = projected[split][data[f"{split}_labels"] == label]
                axis.scatter(points[:, 0], points[:, 1], s=8, alpha=0.7, label=str(label_name))
            axis.set_title(f"{name}\n{split}", fontsize=9)
            axis.set_xlabel("PC 1")
            axis.set_ylabel("PC 2")
    axes[0][0].legend(fontsize=8, markerscale=2)
    figure.suptitle(title)
    return _save(figure, path)
