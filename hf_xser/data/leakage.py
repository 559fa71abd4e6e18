"""The leakage guard: no speaker in two of train / validation / test, no utterance both trained and tested on.

Speakers and utterances are keyed by corpus, since ids repeat across corpora (Emo-DB's speaker "03" is not
RAVDESS' actor "03").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from datasets import Dataset

_MAX_NAMED = 10


def _keys(dataset: Dataset, column: str) -> set[tuple[str, str]]:
    table = dataset.select_columns(["corpus", column]).to_dict()
    return set(zip(table["corpus"], table[column]))


def _name(keys: Iterable[tuple[str, str]]) -> str:
    ordered = sorted(keys)
    named = ", ".join(f"{corpus}:{value}" for corpus, value in ordered[:_MAX_NAMED])
    return named + (f" and {len(ordered) - _MAX_NAMED} more" if len(ordered) > _MAX_NAMED else "")


def check_leakage(train: Dataset, validation: Dataset, test_sets: Mapping[str, Dataset]) -> None:
    """Raise if a speaker is in two of train / validation / a test set, or an utterance is in train and a test set.

    Raises:
        ValueError: naming the speakers (`corpus:speaker`) or utterances (`corpus:utterance_id`) and the sets.
    """
    speakers = {"train": _keys(train, "speaker"), "validation": _keys(validation, "speaker")}
    speakers.update({f"test[{name}]": _keys(test, "speaker") for name, test in test_sets.items()})
    train_utterances = _keys(train, "utterance_id")
    problems = []
    names = list(speakers)
    for position, first in enumerate(names):
        for second in names[position + 1 :]:
            if first.startswith("test") and second.startswith("test"):
                continue  # test sets are reported separately; sharing them is no leak into training
            shared = speakers[first] & speakers[second]
            if shared:
                problems.append(f"speaker(s) {_name(shared)} in both {first} and {second}")
    for name, test in test_sets.items():
        shared = train_utterances & _keys(test, "utterance_id")
        if shared:
            problems.append(f"utterance(s) {_name(shared)} in both train and test[{name}]")
    if problems:
        raise ValueError("data leakage: " + "; ".join(problems))
