"""The baselines' experiment loop: the neural runs' schemes, folds, mixtures and test sets, with features + forest.

Every corpus is prepared and its functionals extracted (or read from the cache) once; each fold then builds the
same `Mixture` as `run_classification.py` (`hf_xser.data.build_mixture`), looks its rows up in the feature tables,
fits the pipeline on the training rows and scores every within- and cross-language test set with the same
`evaluate` modules, so the records and `all_results.json` have the neural runs' shape. The validation speakers are
not used: the forest has no early stopping, and its hyper-parameters are the paper's (§4.6).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from datasets import Dataset

from ..data.corpora import corpus_builder
from ..data.mixtures import Mixture, build_mixture
from ..metrics import SERMetrics
from ..results import score_test_set
from .cache import FeatureTable, corpus_features
from .features import check_feature_set
from .forest import MAX_DEPTH, N_ESTIMATORS, build_pipeline

if TYPE_CHECKING:
    from dataset_scripts._common import EmotionCorpusBuilder

logger = logging.getLogger(__name__)

# The paper's scheme letters (DE, EN, CH) to ISO codes; other two-letter codes are read as ISO codes.
_SCHEME_CODES = {"DE": "de", "EN": "en", "CH": "zh"}


@dataclass(frozen=True)
class BaselineConfig:
    """What a baseline run does, besides which data it runs on.

    Args:
        features (`str`, defaults to `"egemaps"`): `"egemaps"` (eGeMAPSv02, 88) or `"emobase"` (988 functionals).
        wccn (`bool`, defaults to `False`): classical WCCN between standardisation and the forest.
        beta (`float`, defaults to 0.2): eq. 7 smoothing of WCCN.
        seed (`int`, defaults to 42): the forest's random state.
        classes (`str`, defaults to `"4"`): the corpora's class mode (see `hf_xser.data.load_corpus`).
        skip_invalid (`bool`, defaults to `False`): skip unusable corpus files instead of raising.
        cache_dir (`str`, *optional*): where the prepared corpora are cached (the `datasets` cache by default).
        feature_cache_dir (`str`, *optional*): where features are cached (`hf_xser.baselines.default_cache_dir()`).
        num_workers (`int`, defaults to 1): openSMILE worker processes.
        progress (`bool`, defaults to `True`): progress bars while extracting.
    """

    features: str = "egemaps"
    wccn: bool = False
    beta: float = 0.2
    seed: int = 42
    classes: str = "4"
    skip_invalid: bool = False
    cache_dir: str | None = None
    feature_cache_dir: str | None = None
    num_workers: int = 1
    progress: bool = True

    def __post_init__(self) -> None:
        check_feature_set(self.features)
        if not 0.0 <= self.beta <= 1.0:
            raise ValueError(f"beta must be in [0, 1], got {self.beta}")

    @property
    def method(self) -> str:
        """The results' method name, e.g. `"egemaps+rf"` or `"egemaps+wccn+rf"`."""
        return "+".join([self.features, *(["wccn"] if self.wccn else []), "rf"])


def parse_scheme(scheme: str) -> tuple[str, ...]:
    """The training languages of a scheme name: `"DECH"` -> `("de", "zh")` (inverse of `scheme_name`)."""
    if len(scheme) < 2 or len(scheme) % 2 or not scheme.isalpha():
        raise ValueError(f"a scheme is a run of two-letter language codes such as DECH, DEEN, ENCH; got {scheme!r}")
    codes = [scheme[i : i + 2].upper() for i in range(0, len(scheme), 2)]
    return tuple(_SCHEME_CODES.get(code, code.lower()) for code in codes)


def prepare_corpora(
    corpora: Mapping[str, str | os.PathLike], config: BaselineConfig
) -> dict[str, EmotionCorpusBuilder]:
    """The prepared builder of each corpus (decoded once, then cached by `datasets`): data and fold table."""
    return {
        name: corpus_builder(
            name, data_dir, config.classes, skip_invalid=config.skip_invalid, cache_dir=config.cache_dir
        )
        for name, data_dir in corpora.items()
    }


def load_feature_tables(
    builders: Mapping[str, EmotionCorpusBuilder], config: BaselineConfig
) -> dict[str, FeatureTable]:
    """Per corpus, the features of every utterance: extracted once, then read from the cache."""
    return {
        name: corpus_features(
            builder.as_dataset(split="train"),
            config.features,
            corpus=name,
            classes=config.classes,
            cache_dir=config.feature_cache_dir,
            num_workers=config.num_workers,
            progress=config.progress,
        )
        for name, builder in builders.items()
    }


def features_of(dataset: Dataset, tables: Mapping[str, FeatureTable]) -> tuple[np.ndarray, np.ndarray]:
    """The feature matrix (float64) and labels of a mixture's dataset, row for row (repeated rows included)."""
    columns = dataset.select_columns(["corpus", "utterance_id", "label"]).to_dict()
    corpora, ids = np.array(columns["corpus"]), np.array(columns["utterance_id"])
    dims = {table.features.shape[1] for table in tables.values()}
    features = np.empty((len(ids), dims.pop()))
    for corpus in np.unique(corpora):
        rows = corpora == corpus
        features[rows] = tables[str(corpus)].rows(ids[rows].tolist())
    return features, np.array(columns["label"])


def run_fold(
    mixture: Mixture, tables: Mapping[str, FeatureTable], config: BaselineConfig, metrics: SERMetrics
) -> list[dict]:
    """Fit the pipeline on the mixture's training rows; one record per test set, within-language first."""
    train_features, train_labels = features_of(mixture.train, tables)
    model = build_pipeline(wccn=config.wccn, beta=config.beta, seed=config.seed).fit(train_features, train_labels)
    labels = mixture.train.features["label"].names
    records = []
    for name in sorted(mixture.test, key=lambda n: (mixture.settings[n] != "within", n)):
        test_features, test_labels = features_of(mixture.test[name], tables)
        records.append(
            score_test_set(
                metrics,
                model.predict(test_features).tolist(),
                test_labels.tolist(),
                fold=mixture.fold,
                scheme=mixture.scheme,
                test_set=name,
                setting=mixture.settings[name],
                labels=labels,
            )
        )
    return records


def run_scheme(
    corpora: Mapping[str, str | os.PathLike],
    train_languages: Sequence[str],
    folds: Sequence[int],
    config: BaselineConfig,
    tables: Mapping[str, FeatureTable],
    test_languages: Sequence[str] | None = None,
) -> tuple[list[dict], dict]:
    """Every fold of one scheme: the records and the settings for its `all_results.json`."""
    metrics, records, repeat_factors = None, [], {}
    for fold in folds:
        mixture = build_mixture(
            corpora,
            fold,
            train_languages,
            test_languages,
            classes=config.classes,
            skip_invalid=config.skip_invalid,
            cache_dir=config.cache_dir,
        )
        logger.info("%s %s", config.method, mixture.summary())
        metrics = metrics or SERMetrics(num_labels=mixture.train.features["label"].num_classes)
        records += run_fold(mixture, tables, config, metrics)
        repeat_factors[fold] = mixture.repeat_factors
    settings = {
        "method": config.method,
        "features": config.features,
        "wccn": config.wccn,
        "beta": config.beta if config.wccn else None,
        "scheme": mixture.scheme,
        "train_languages": list(mixture.train_languages),
        "test_languages": list(mixture.test_languages),
        "corpora": sorted(corpora),
        "folds": list(folds),
        "repeat_factors": repeat_factors,
        "balance": "repeated rows",
        "classes": config.classes,
        "seed": config.seed,
        "n_estimators": N_ESTIMATORS,
        "max_depth": MAX_DEPTH,
    }
    return records, settings
