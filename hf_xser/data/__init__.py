"""Corpora as Hugging Face datasets: loading by speaker fold, training mixtures, the leakage guard, demo corpora."""

from dataset_scripts._audio import SAMPLING_RATE, InvalidCorpusError, InvalidFileError, decode_audio
from dataset_scripts._common import LABELS
from dataset_scripts._folds import FoldTable

from .corpora import BUILDERS, corpus_builder, load_corpus, split_by_fold
from .leakage import check_leakage
from .mixtures import Mixture, build_mixture, repeat_factors, resolve_folds, sample_shots, scheme_name

__all__ = [
    "BUILDERS",
    "LABELS",
    "SAMPLING_RATE",
    "FoldTable",
    "InvalidCorpusError",
    "InvalidFileError",
    "Mixture",
    "build_mixture",
    "check_leakage",
    "corpus_builder",
    "decode_audio",
    "load_corpus",
    "repeat_factors",
    "resolve_folds",
    "sample_shots",
    "scheme_name",
    "split_by_fold",
]
