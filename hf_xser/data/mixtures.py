"""Training mixtures (paper §4.3-4.4, §5.4): languages merged with the smaller ones repeated to balance, the
within- and cross-language test sets, and target-language shots.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from datasets import Dataset, DatasetDict, concatenate_datasets

from .corpora import load_corpus
from .leakage import check_leakage

logger = logging.getLogger(__name__)

# The paper writes its schemes DE, EN, CH in this order (DECH, DEEN, ENCH).
_PAPER_CODES = {"de": "DE", "en": "EN", "zh": "CH"}


def scheme_name(languages: Sequence[str]) -> str:
    """The paper's name of a training scheme: ["de", "zh"] -> "DECH"; other ISO codes are upper-cased."""
    order = list(_PAPER_CODES)
    ranked = sorted(set(languages), key=lambda code: (order.index(code) if code in order else len(order), code))
    return "".join(_PAPER_CODES.get(code, code.upper()) for code in ranked)


def repeat_factors(sizes: Mapping[str, int]) -> dict[str, int]:
    """Per language, ceil(n_largest / n): how often its utterances are repeated to match the largest language.

    Rounding up is what reproduces the paper's stated factors (§4.3): DEEN German x2-3 on Table 2's folds
    (ceil(420/189) = 3, ceil(392/231) = 2), DECH German x32-39 and ENCH English x18-19 with 7,200 Mandarin training
    utterances per fold; rounding to nearest would give German x2 in every DEEN fold and English x17-18.
    """
    largest = max(sizes.values())
    return {language: -(-largest // size) for language, size in sizes.items()}  # integer ceil


def sample_shots(dataset: Dataset, shots: int, seed: int) -> Dataset:
    """`shots` utterances drawn without replacement, stratified by label (class proportions kept), seeded."""
    if shots > len(dataset):
        raise ValueError(f"asked for {shots} target-language shots, but the training speakers have {len(dataset)}")
    rng = np.random.default_rng(seed)
    labels = np.asarray(dataset["label"])
    classes, counts = np.unique(labels, return_counts=True)
    # Largest-remainder allocation of `shots` over the classes, in proportion to their sizes.
    exact = counts * shots / len(labels)
    quota = np.floor(exact).astype(int)
    quota[np.argsort(-(exact - quota), kind="stable")[: shots - quota.sum()]] += 1
    chosen = [rng.choice(np.flatnonzero(labels == label), size=n, replace=False) for label, n in zip(classes, quota)]
    return dataset.select(sorted(int(index) for index in np.concatenate(chosen)))


@dataclass
class Mixture:
    """A training scheme on one fold: merged training set, validation set and per-language test sets."""

    train: Dataset
    validation: Dataset
    test: dict[str, Dataset]  # language -> that language's test speakers
    settings: dict[str, str]  # language -> "within" (a training language) or "cross" (held out)
    repeat_factors: dict[str, int]  # language -> times its training utterances are repeated in `train`
    fold: int
    train_languages: tuple[str, ...]
    test_languages: tuple[str, ...]
    scheme: str
    sizes: dict[str, int] = field(default_factory=dict)  # language -> training utterances before repetition

    def summary(self) -> str:
        parts = " + ".join(f"{lang} {n} x{self.repeat_factors[lang]}" for lang, n in self.sizes.items())
        lines = [
            f"Mixture {self.scheme}, fold {self.fold} (train languages: {', '.join(self.train_languages)}; "
            f"held out: {', '.join(self.test_languages) or 'none'})",
            f"  train: {len(self.train)} utterances = {parts}",
            f"  validation: {len(self.validation)} utterances",
        ]
        lines += [
            f"  test[{lang}] ({self.settings[lang]}): {len(test)} utterances" for lang, test in self.test.items()
        ]
        return "\n".join(lines)


def _load(name: str, source: str | os.PathLike | Mapping, fold: int, **kwargs) -> tuple[str, DatasetDict]:
    # A corpus is given by its folder, or by a mapping {"data_dir": ..., **builder options} (e.g. ESD language="en").
    options = dict(source) if isinstance(source, Mapping) else {"data_dir": source}
    data_dir = options.pop("data_dir")
    try:
        splits = load_corpus(name, data_dir, fold, **kwargs, **options)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from error
    languages = set(splits["train"]["language"]) | set(splits["test"]["language"])
    if len(languages) != 1:
        raise ValueError(f"{name} holds several languages {sorted(languages)}: a mixture needs one per corpus")
    return languages.pop(), splits


def build_mixture(
    corpora: Mapping[str, str | os.PathLike | Mapping],
    fold: int,
    train_languages: Sequence[str],
    test_languages: Sequence[str] | None = None,
    *,
    target_shots: int = 0,
    balance: bool = True,
    seed: int = 42,
    classes: str = "4",
    skip_invalid: bool = False,
    cache_dir: str | None = None,
) -> Mixture:
    """Build a training scheme on one fold.

    Args:
        corpora: corpus name -> folder (or `{"data_dir": folder, **options}`); one corpus per language.
        fold: 1-based fold, applied to every corpus.
        train_languages: ISO codes whose training speakers are merged.
        test_languages: held-out languages (cross-language tests); default: every other language of `corpora`.
        target_shots: N utterances from each held-out language's *training* speakers, stratified by class and
            seeded, added to train (repeated to balance); 0 for none.
        balance: repeat the smaller languages ceil(n_largest / n) times; False keeps every factor 1.
        seed: seed of the target-shot draw.

    Raises:
        ValueError: unknown or conflicting languages, two corpora of one language, or leakage (see `check_leakage`).
    """
    by_language: dict[str, tuple[str, DatasetDict]] = {}
    for name, source in corpora.items():
        language, splits = _load(name, source, fold, classes=classes, skip_invalid=skip_invalid, cache_dir=cache_dir)
        if language in by_language:
            raise ValueError(
                f"corpora {by_language[language][0]} and {name} are both {language!r}: "
                "a mixture takes one corpus per language"
            )
        by_language[language] = (name, splits)
    train_languages = tuple(train_languages)
    if test_languages is None:
        test_languages = tuple(language for language in by_language if language not in train_languages)
    test_languages = tuple(test_languages)
    for language in train_languages + test_languages:
        if language not in by_language:
            raise ValueError(f"no corpus for language {language!r}; the corpora hold {sorted(by_language)}")
    if not train_languages or set(train_languages) & set(test_languages):
        raise ValueError(
            f"train languages {train_languages} must be non-empty and disjoint from the held-out "
            f"languages {test_languages} (within-language tests are added for every train language)"
        )
    label_sets = {name: splits["train"].features["label"].names for name, splits in by_language.values()}
    if len({tuple(names) for names in label_sets.values()}) > 1:
        raise ValueError(f"the corpora have different classes, so they cannot be mixed: {label_sets}")

    parts = {language: by_language[language][1]["train"] for language in train_languages}
    if target_shots:
        for language in test_languages:
            parts[language] = sample_shots(by_language[language][1]["train"], target_shots, seed)
    sizes = {language: len(dataset) for language, dataset in parts.items()}
    factors = repeat_factors(sizes) if balance else dict.fromkeys(sizes, 1)
    train = concatenate_datasets([dataset for lang, dataset in parts.items() for _ in range(factors[lang])])
    validation = concatenate_datasets([by_language[language][1]["validation"] for language in train_languages])
    test = {language: by_language[language][1]["test"] for language in train_languages + test_languages}
    settings = {language: "within" if language in train_languages else "cross" for language in test}
    check_leakage(train, validation, test)
    mixture = Mixture(
        train=train,
        validation=validation,
        test=test,
        settings=settings,
        repeat_factors=factors,
        fold=fold,
        train_languages=train_languages,
        test_languages=test_languages,
        scheme=scheme_name(train_languages),
        sizes=sizes,
    )
    logger.info("%s", mixture.summary())
    return mixture


def resolve_folds(fold: str | int, num_folds: Mapping[str, int]) -> list[int]:
    """`"all"`: every fold all the given corpora have (CASIA has 4, the paper's corpora 5); else the one fold."""
    common = min(num_folds.values())
    if str(fold) == "all":
        return list(range(1, common + 1))
    if not str(fold).isdigit() or not 1 <= int(fold) <= common:
        counts = ", ".join(f"{name} {n}" for name, n in sorted(num_folds.items()))
        raise ValueError(f"fold must be 'all' or between 1 and {common} (folds per corpus: {counts}); got {fold!r}")
    return [int(fold)]
