"""Classical baselines (paper §4.2, §4.6): openSMILE functionals -> standardisation -> optional WCCN -> forest."""

from .cache import FeatureTable, corpus_features, default_cache_dir
from .features import FEATURE_DIMS, FEATURE_SETS, MIN_SAMPLES, extract_functionals, prepare_waveform
from .forest import build_pipeline
from .run import (
    BaselineConfig,
    load_feature_tables,
    parse_scheme,
    prepare_corpora,
    run_fold,
    run_scheme,
)
from .wccn import WCCN

__all__ = [
    "FEATURE_DIMS",
    "FEATURE_SETS",
    "MIN_SAMPLES",
    "WCCN",
    "BaselineConfig",
    "FeatureTable",
    "build_pipeline",
    "corpus_features",
    "default_cache_dir",
    "extract_functionals",
    "load_feature_tables",
    "parse_scheme",
    "prepare_corpora",
    "prepare_waveform",
    "run_fold",
    "run_scheme",
]
