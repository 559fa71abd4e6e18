"""Corpus registry and loading: `load_corpus(name, data_dir, fold)` -> speaker-split Hugging Face datasets.

Each corpus is prepared once (the builder's `all` config: every utterance, decoded to 16 kHz mono float32 and
cached as Arrow); folds are then cheap speaker selections of it, so no fold decodes or stores the audio again.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from datasets import Dataset, DatasetDict

from dataset_scripts._common import EmotionCorpusBuilder
from dataset_scripts.casia import Casia
from dataset_scripts.emodb import EmoDB
from dataset_scripts.esd import Esd
from dataset_scripts.manifest import Manifest
from dataset_scripts.ravdess import Ravdess

logger = logging.getLogger(__name__)

BUILDERS: dict[str, type[EmotionCorpusBuilder]] = {
    "emodb": EmoDB,
    "ravdess": Ravdess,
    "esd": Esd,
    "casia": Casia,
    "manifest": Manifest,
}


def _fingerprint(builder_class: type[EmotionCorpusBuilder], data_dir: Path) -> str:
    # Names, sizes and modification times of the source files: an edited corpus gets a fresh cache, and computing
    # it costs one stat per file (milliseconds for the real corpora), not a read.
    digest = hashlib.sha256()
    for path in builder_class.source_files(data_dir):
        try:
            stat = path.stat()
        except OSError:  # a broken link: the builder reports it
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def corpus_builder(
    name: str,
    data_dir: str | os.PathLike,
    classes: str = "4",
    *,
    skip_invalid: bool = False,
    cache_dir: str | None = None,
    **options,
) -> EmotionCorpusBuilder:
    """The prepared `all` builder of a corpus (decoding now only if not cached); see `load_corpus`.

    The builder also answers `fold_table()` and `skipped_files`.
    """
    if name not in BUILDERS:
        raise ValueError(f"unknown corpus {name!r}; known: {', '.join(BUILDERS)}")
    builder_class = BUILDERS[name]
    data_dir = Path(data_dir).expanduser().resolve()
    builder = builder_class(
        config_name="all",
        data_dir=str(data_dir),
        cache_dir=cache_dir,
        hash=_fingerprint(builder_class, data_dir),
        classes=classes,
        skip_invalid=skip_invalid,
        **options,
    )
    builder.download_and_prepare()
    if builder.skipped_files:
        logger.warning(
            "%s: %d invalid file(s) skipped: %s",
            name,
            len(builder.skipped_files),
            ", ".join(entry["path"] for entry in builder.skipped_files),
        )
    return builder


def load_corpus(
    name: str,
    data_dir: str | os.PathLike,
    fold: int | None = None,
    classes: str = "4",
    *,
    skip_invalid: bool = False,
    cache_dir: str | None = None,
    **options,
) -> DatasetDict | Dataset:
    """Load a corpus as Hugging Face datasets, split by speaker.

    Args:
        name: `emodb`, `ravdess`, `esd`, `casia` or `manifest`.
        data_dir: the corpus folder as downloaded (for `manifest`: the CSV/TSV file or its folder).
        fold: 1-based fold of the corpus' fold table; `None` for every utterance in one `Dataset`.
        classes: `"4"` (angry, happy, neutral, sad: one ClassLabel order for every corpus) or `"all"`.
        skip_invalid: skip unusable files (logged; listed by `corpus_builder(...).skipped_files`) instead of raising.
        cache_dir: where prepared corpora are cached (default: the `datasets` cache).
        options: builder config options, e.g. `language="en"` for ESD, `label_map=...` for `manifest`.

    Returns:
        A `DatasetDict` with `train`, `validation`, `test` when `fold` is given, else a `Dataset`. Columns: `audio`
        (`{"array", "sampling_rate", "path"}`, 16 kHz mono float32), `label`, `speaker`, `language`, `corpus`,
        `utterance_id`, `duration` (seconds).
    """
    builder = corpus_builder(name, data_dir, classes, skip_invalid=skip_invalid, cache_dir=cache_dir, **options)
    dataset = builder.as_dataset(split="train")
    if fold is None:
        return dataset
    return split_by_fold(dataset, builder.fold_table().split(fold))


def split_by_fold(dataset: Dataset, speakers_per_split: dict[str, tuple[str, ...]]) -> DatasetDict:
    """Select each split's speakers (an index selection: the audio is neither copied nor decoded)."""
    speakers = dataset.data.column("speaker").to_pylist()
    splits = {}
    for split, chosen in speakers_per_split.items():
        chosen = set(chosen)
        splits[split] = dataset.select([index for index, speaker in enumerate(speakers) if speaker in chosen])
    return DatasetDict(splits)
