"""An experiment file: the grid of schemes × folds × variants × target shots that `hf-xser experiment` runs.

A variant is a model (`kind: neural`, run by `run_classification.py` with its argument overrides) or a baseline
(`kind: baseline`, run by `hf-xser baseline` with its options). See `configs/experiments/demo.yaml` for every key.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

KINDS = ("neural", "baseline")
# Default test languages: the paper's three (German, English, Mandarin); each scheme tests on all of them.
PAPER_LANGUAGES = ("de", "en", "zh")


@dataclass(frozen=True)
class Variant:
    """One model of the grid.

    Args:
        name (`str`): path-safe name, used in cell names (`DEEN/<name>/shots0/fold1`).
        kind (`str`): `"neural"` or `"baseline"`.
        label (`str`, *optional*): what tables and figures call it; defaults to `name`.
        overrides (`dict`, *optional*): `run_classification.py` arguments (neural) or `hf-xser baseline` options
            (baseline; `true` becomes a bare flag), e.g. `{use_wccn: false}` or `{features: emobase, wccn: true}`.
    """

    name: str
    kind: str
    label: str = ""
    overrides: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"variant {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if not self.name or "/" in self.name or self.name.startswith("."):
            raise ValueError(f"variant names are path-safe words, got {self.name!r}")

    @property
    def display(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class Selection:
    """Which schemes, folds and variants an optional part of the grid (target shots, embeddings) applies to.

    An empty tuple means all of them.
    """

    schemes: tuple[str, ...] = ()
    folds: tuple[int, ...] = ()
    variants: tuple[str, ...] = ()

    def __contains__(self, key: tuple[str, int, str]) -> bool:
        scheme, fold, variant = key
        return (
            (not self.schemes or scheme in self.schemes)
            and (not self.folds or fold in self.folds)
            and (not self.variants or variant in self.variants)
        )


@dataclass(frozen=True)
class Ablation:
    """A with / without pair whose difference the report shows (Fig. 4), e.g. Deep-WCCN on and off."""

    name: str
    with_variant: str
    without_variant: str
    published: str = ""  # the method's name in published.yaml's `wccn_gains`, to show the paper's gains beside


@dataclass
class ExperimentConfig:
    """What `hf-xser experiment` runs; every path relative to the working directory.

    Args:
        run_dir (`str`): where every cell writes its folder, and the manifest, failures and report go.
        schemes (`list[str]`): training schemes, e.g. `["DECH", "DEEN", "ENCH"]` (paper §4.3).
        folds (`list[int]`): speaker folds (Table 2); CASIA has 4.
        variants (`list[Variant]`): the models of the grid.
        training_config (`str`): the argument file every neural cell starts from (`run_classification.py FILE`).
        training_overrides (`dict`): arguments every neural cell adds after the file.
        scheme_overrides (`dict`): per scheme, arguments for its neural cells (e.g. Table 3's hyper-parameters).
        corpora_root (`str`): the folder holding the corpora, given to both kinds of cell.
        demo_corpora (`bool`): generate the synthetic corpora there first (seeded with the training seed).
        languages (`list[str]`): the languages tested: a scheme's own within-language, the others cross-language.
        shots (`list[int]`): target-language shots (§5.4) beyond 0, for the cells `shots_for` selects.
        shots_for (`Selection`): which (scheme, fold, neural variant) also run with `shots`.
        embeddings_for (`Selection`): which neural cells also dump their embeddings for the PCA figure (Fig. 5).
        ablations (`list[Ablation]`): with / without pairs for the gains table (Fig. 4).
        main_variant (`str`, *optional*): the variant compared with the paper's numbers (Table 4); defaults to
            the first neural variant.
        launcher (`list[str]`): what runs the training script: `python` or e.g. `accelerate launch --cpu`.
        script (`str`): the training script.
        baseline_options (`dict`): `hf-xser baseline` options every baseline cell adds (e.g. `num-workers: 2`).
    """

    run_dir: str
    schemes: list[str]
    folds: list[int]
    variants: list[Variant]
    training_config: str | None = None
    training_overrides: dict = field(default_factory=dict)
    scheme_overrides: dict = field(default_factory=dict)
    corpora_root: str | None = None
    demo_corpora: bool = False
    languages: list[str] = field(default_factory=lambda: list(PAPER_LANGUAGES))
    shots: list[int] = field(default_factory=list)
    shots_for: Selection = field(default_factory=Selection)
    embeddings_for: Selection | None = None
    ablations: list[Ablation] = field(default_factory=list)
    main_variant: str | None = None
    launcher: list[str] = field(default_factory=lambda: [sys.executable])
    script: str = "run_classification.py"
    baseline_options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.schemes or not self.folds or not self.variants:
            raise ValueError("an experiment needs at least one scheme, fold and variant")
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError(f"variant names must be unique, got {names}")
        known = set(names)
        for ablation in self.ablations:
            unknown = {ablation.with_variant, ablation.without_variant} - known
            if unknown:
                raise ValueError(f"ablation {ablation.name!r} names unknown variant(s) {sorted(unknown)}")
        if self.main_variant is None:
            self.main_variant = next((v.name for v in self.variants if v.kind == "neural"), self.variants[0].name)
        if self.main_variant not in known:
            raise ValueError(f"main_variant {self.main_variant!r} is not a variant")
        if any(shot <= 0 for shot in self.shots):
            raise ValueError(f"shots lists the target-shot counts beyond 0, got {self.shots}")

    def variant(self, name: str) -> Variant:
        return next(v for v in self.variants if v.name == name)


def launcher_command(launcher: str | list[str]) -> list[str]:
    """A launcher (`"accelerate launch --cpu"` or a list) as a command prefix; a bare `python` is this interpreter,
    so the cells use the same environment's packages."""
    words = shlex.split(launcher) if isinstance(launcher, str) else list(launcher)
    return [sys.executable] if words == ["python"] else words


def _selection(raw: dict | None) -> Selection | None:
    if raw is None:
        return None
    return Selection(
        schemes=tuple(raw.get("schemes", ())),
        folds=tuple(raw.get("folds", ())),
        variants=tuple(raw.get("variants", ())),
    )


def load_experiment_config(path: str | os.PathLike) -> ExperimentConfig:
    """Read an experiment YAML file (see `configs/experiments/demo.yaml`)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: experiment file not found")
    raw = yaml.safe_load(path.read_text())
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: an experiment file holds a mapping")
    known = set(ExperimentConfig.__dataclass_fields__) | {"target_shots", "embeddings"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {', '.join(unknown)}")
    variants = [
        Variant(
            name=name,
            kind=spec.get("kind", "neural"),
            label=spec.get("label", ""),
            overrides=spec.get("overrides") or {},
        )
        for name, spec in raw.pop("variants", {}).items()
    ]
    shots = raw.pop("target_shots", None) or {}
    launcher = raw.pop("launcher", "python")
    return ExperimentConfig(
        variants=variants,
        shots=list(shots.get("shots", [])),
        shots_for=_selection(shots) or Selection(),
        embeddings_for=_selection(raw.pop("embeddings", None)),
        ablations=[
            Ablation(a["name"], a["with"], a["without"], a.get("published", "")) for a in raw.pop("ablations", [])
        ],
        launcher=launcher_command(launcher),
        folds=[int(fold) for fold in raw.pop("folds", [])],
        **raw,
    )
