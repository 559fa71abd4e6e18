"""The cells of an experiment: one run of the training script or of a baseline each, with its own folder.

Cells are data. Their names are deterministic (`DEEN/wccn/shots0/fold1`), so a re-run, another shard or the
report finds the same folder for the same cell; a cell is finished when its `all_results.json` is complete.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from ..baselines.run import parse_scheme
from ..results import RESULTS_FILE, is_complete
from .config import ExperimentConfig, Variant

EMBEDDINGS_FILE = "embeddings.npz"


@dataclass(frozen=True)
class Cell:
    """One run of the grid.

    Args:
        name (`str`): `SCHEME/VARIANT/shotsN/foldK`, also the cell's folder under the run directory.
        kind (`str`): `"neural"` or `"baseline"`.
        scheme (`str`): the training scheme, e.g. `"DEEN"`.
        train_languages (`tuple[str]`): its ISO codes, e.g. `("de", "en")`.
        fold (`int`): the speaker fold.
        variant (`str`): the variant's name.
        shots (`int`): target-language shots added to training (§5.4).
        output_dir (`str`): the cell's folder.
        results_dir (`str`): where its `all_results.json` lands (baselines write `<output_dir>/<scheme>/`).
        test_sets (`tuple[str]`): the test sets a complete result holds.
        commands (`tuple[tuple[str]]`): what it runs, in order (training, then optionally the embeddings dump).
        embeddings (`bool`): whether it also dumps embeddings for the PCA figure.
    """

    name: str
    kind: str
    scheme: str
    train_languages: tuple[str, ...]
    fold: int
    variant: str
    shots: int
    output_dir: str
    results_dir: str
    test_sets: tuple[str, ...]
    commands: tuple[tuple[str, ...], ...]
    embeddings: bool = False

    def is_finished(self) -> bool:
        """Results complete for every test set of the fold (and the embeddings dumped, when asked for)."""
        if not is_complete(Path(self.results_dir) / RESULTS_FILE, self.test_sets, [self.fold]):
            return False
        return not self.embeddings or (Path(self.output_dir) / EMBEDDINGS_FILE).is_file()

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> Cell:
        values = dict(values)
        values["train_languages"] = tuple(values["train_languages"])
        values["test_sets"] = tuple(values["test_sets"])
        values["commands"] = tuple(tuple(command) for command in values["commands"])
        return cls(**values)


def as_arguments(overrides: dict, style: str) -> list[str]:
    """`{"use_wccn": False}` -> `["--use_wccn", "false"]` (training script) or `["--wccn"]` (baseline CLI)."""
    arguments = []
    for key, value in overrides.items():
        if style == "baseline":
            flag = f"--{key.replace('_', '-')}"
            if value is True:
                arguments.append(flag)
            elif value is not False and value is not None:
                arguments += [flag, str(value)]
        else:
            arguments += [f"--{key}", str(value).lower() if isinstance(value, bool) else str(value)]
    return arguments


def training_arguments(
    config: ExperimentConfig, cell_dir: Path, scheme: str, fold: int, variant: Variant, shots: int
) -> list[str]:
    """The arguments of `run_classification.py` for a neural cell: file, then overrides, the cell's last."""
    languages = parse_scheme(scheme)
    overrides = {
        **config.training_overrides,
        **config.scheme_overrides.get(scheme, {}),
        **variant.overrides,
        # The runner generates demo corpora once, up front, so parallel cells never race to write them.
        **({"corpora_root": config.corpora_root, "demo_corpora": False} if config.corpora_root else {}),
        "train_languages": ",".join(languages),
        "test_languages": ",".join(lang for lang in config.languages if lang not in languages),
        "fold": fold,
        "target_shots": shots,
        "output_dir": str(cell_dir),
    }
    return [*([config.training_config] if config.training_config else []), *as_arguments(overrides, "training")]


def _baseline_command(
    config: ExperimentConfig, cell_dir: Path, scheme: str, fold: int, variant: Variant
) -> tuple[str, ...]:
    languages = parse_scheme(scheme)
    options = {
        **config.baseline_options,
        **variant.overrides,
        "train_languages": ",".join(languages),
        "test_languages": ",".join(lang for lang in config.languages if lang not in languages),
        "fold": fold,
        "corpora_root": config.corpora_root,
        "output_dir": str(cell_dir),
        "no_progress": True,
    }
    return (sys.executable, "-m", "hf_xser.cli", "baseline", *as_arguments(options, "baseline"))


def _cell(config: ExperimentConfig, scheme: str, fold: int, variant: Variant, shots: int) -> Cell:
    name = f"{scheme}/{variant.name}/shots{shots}/fold{fold}"
    cell_dir = Path(config.run_dir) / name
    languages = parse_scheme(scheme)
    # Within-language test sets first, then cross-language, as the training script and baselines order them.
    test_sets = (*languages, *(lang for lang in config.languages if lang not in languages))
    common = dict(
        name=name,
        kind=variant.kind,
        scheme=scheme,
        train_languages=languages,
        fold=fold,
        variant=variant.name,
        shots=shots,
        output_dir=str(cell_dir),
        test_sets=test_sets,
    )
    if variant.kind == "baseline":
        command = _baseline_command(config, cell_dir, scheme, fold, variant)
        return Cell(**common, results_dir=str(cell_dir / scheme), commands=(command,))
    arguments = training_arguments(config, cell_dir, scheme, fold, variant, shots)
    commands = [(*config.launcher, config.script, *arguments)]
    # Fig. 5 shows the models trained without target-language data.
    embeddings = (
        not shots and config.embeddings_for is not None and (scheme, fold, variant.name) in config.embeddings_for
    )
    if embeddings:
        commands.append((sys.executable, "-m", "hf_xser.experiments.embeddings", *arguments))
    return Cell(**common, results_dir=str(cell_dir), commands=tuple(commands), embeddings=embeddings)


def expand_cells(config: ExperimentConfig) -> list[Cell]:
    """Every cell of the grid, in a fixed order: scheme, variant, shots, fold."""
    cells = []
    for scheme in config.schemes:
        for variant in config.variants:
            extra = variant.kind == "neural" and config.shots
            for shots in [0, *(config.shots if extra else [])]:
                for fold in config.folds:
                    if shots and (scheme, fold, variant.name) not in config.shots_for:
                        continue
                    cells.append(_cell(config, scheme, fold, variant, shots))
    return cells


def parse_shard(shard: str) -> tuple[int, int]:
    """`"2/4"` -> (2, 4): the second of four workers (1-based)."""
    try:
        index, count = (int(part) for part in shard.split("/"))
    except ValueError as error:
        raise ValueError(f"--shard is I/N with integers, e.g. 1/4; got {shard!r}") from error
    if not 1 <= index <= count:
        raise ValueError(f"--shard {shard}: need 1 <= I <= N")
    return index, count


def shard_cells(cells: list[Cell], index: int, count: int) -> list[Cell]:
    """Worker `index` of `count` takes every count-th cell, so shards mix cheap and expensive cells alike."""
    return cells[index - 1 :: count]
