"""Fold tables: exactly the paper's Table 2, CASIA's four folds, and the manifest's speaker-grouped pattern."""

from __future__ import annotations

import pytest

from dataset_scripts.casia import Casia
from dataset_scripts.emodb import EmoDB
from dataset_scripts.esd import Esd
from dataset_scripts.ravdess import Ravdess
from hf_xser.data import FoldTable


def _ids(first: int, last: int, width: int = 2) -> tuple[str, ...]:
    return tuple(f"{number:0{width}d}" for number in range(first, last + 1))


TABLE_2 = {  # fold -> (validation, test), per corpus
    "emodb": {1: ("13 14", "15 16"), 2: ("11 12", "13 14"), 3: ("09 10", "11 12"), 4: ("03 08", "09 10"),
              5: ("15 16", "03 08")},
    "ravdess": {1: (_ids(16, 20), _ids(21, 24)), 2: (_ids(11, 15), _ids(16, 20)), 3: (_ids(6, 10), _ids(11, 15)),
                4: (_ids(1, 5), _ids(6, 10)), 5: (_ids(21, 24), _ids(1, 5))},
    "esd": {1: ("0007 0008", "0009 0010"), 2: ("0005 0006", "0007 0008"), 3: ("0003 0004", "0005 0006"),
            4: ("0001 0002", "0003 0004"), 5: ("0009 0010", "0001 0002")},
}  # fmt: skip


def _table(name: str, language: str = "zh") -> FoldTable:
    if name == "esd":
        return FoldTable.from_json(Esd.FOLDS_FILE, key=language)
    return FoldTable.from_json({"emodb": EmoDB, "ravdess": Ravdess, "casia": Casia}[name].FOLDS_FILE)


def _split(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(value.split()) if isinstance(value, str) else value


@pytest.mark.parametrize("name", sorted(TABLE_2))
def test_folds_are_table_2(name: str) -> None:
    table = _table(name)
    assert table.num_folds == 5
    for fold, (validation, test) in TABLE_2[name].items():
        split = table.split(fold)
        assert split["validation"] == _split(validation) and split["test"] == _split(test)
        assert set(split["train"]) == set(table.speakers) - set(split["validation"]) - set(split["test"])


def test_emodb_ravdess_esd_speakers() -> None:
    assert _table("emodb").speakers == ("03", "08", "09", "10", "11", "12", "13", "14", "15", "16")
    assert _table("ravdess").speakers == _ids(1, 24)
    assert _table("esd").speakers == _ids(1, 10, width=4)
    assert _table("esd", "en").speakers == _ids(11, 20, width=4)


def test_esd_english_is_the_mandarin_pattern_shifted_by_10() -> None:
    zh, en = _table("esd", "zh"), _table("esd", "en")
    shift = {f"{n:04d}": f"{n + 10:04d}" for n in range(1, 11)}
    for fold in range(1, 6):
        for split, speakers in zh.split(fold).items():
            assert en.split(fold)[split] == tuple(shift[s] for s in speakers)


def test_casia_tests_one_speaker_validates_the_next() -> None:
    table = _table("casia")
    order = ["liuchanhg", "wangzhe", "zhaoquanyin", "ZhaoZuoxiang"]
    assert table.num_folds == 4
    for fold in range(1, 5):
        split = table.split(fold)
        assert split["test"] == (order[fold - 1],) and split["validation"] == (order[fold % 4],)
        assert len(split["train"]) == 2


@pytest.mark.parametrize("name", ["emodb", "ravdess", "esd", "casia"])
def test_every_fold_is_disjoint_and_covers_every_speaker_once_in_test(name: str) -> None:
    table = _table(name)
    tested = []
    for fold in range(1, table.num_folds + 1):
        split = table.split(fold)
        parts = [set(split[s]) for s in ("train", "validation", "test")]
        assert sum(len(p) for p in parts) == len(table.speakers) == len(set.union(*parts))
        tested += split["test"]
    assert sorted(tested) == sorted(table.speakers)


def test_grouped_folds_follow_table_2_pattern() -> None:
    table = FoldTable.grouped([f"s{i}" for i in range(10, 0, -1)], num_folds=5)  # s1, s10, s2, ... sorted
    groups = [("s1", "s10"), ("s2", "s3"), ("s4", "s5"), ("s6", "s7"), ("s8", "s9")]
    assert table.split(1)["test"] == groups[4] and table.split(1)["validation"] == groups[3]
    assert table.split(5)["test"] == groups[0] and table.split(5)["validation"] == groups[4]
    uneven = FoldTable.grouped([str(i) for i in range(7)], num_folds=3)
    assert [len(uneven.split(f)["test"]) for f in (1, 2, 3)] == [2, 2, 3]


def test_bad_folds_are_rejected() -> None:
    with pytest.raises(ValueError, match="at least 3 folds and one speaker per fold"):
        FoldTable.grouped(["a", "b"], num_folds=3)
    with pytest.raises(ValueError, match="fold must be between 1 and 4, got 5"):
        _table("casia").split(5)
    with pytest.raises(
        ValueError, match=r"fold 1: validation \['a'\] and test \['a'\] must be non-empty and disjoint"
    ):
        FoldTable(("a", "b", "c"), ({"validation": ("a",), "test": ("a",)},))
