"""Training mixtures: balancing factors, within / cross test sets, target-language shots, the leakage guard."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from datasets import Dataset

from hf_xser.data import build_mixture, check_leakage, repeat_factors, resolve_folds, scheme_name
from hf_xser.data.synthetic import generate_demo_corpora


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("demo")
    return generate_demo_corpora(root, corpora=["emodb", "ravdess", "esd"], utterances_per_class=3, duration=0.2)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("cache"))


def test_scheme_names_follow_the_paper() -> None:
    assert scheme_name(["de", "zh"]) == "DECH" and scheme_name(["zh", "de"]) == "DECH"
    assert scheme_name(["en", "de"]) == "DEEN" and scheme_name(["zh", "en"]) == "ENCH"
    assert scheme_name(["fr", "de"]) == "DEFR"


def test_repeat_factor_rounds_up_as_the_paper_does() -> None:
    # Table 2 fold sizes of the real corpora: Emo-DB 189 / 231 vs RAVDESS 420 / 392 training utterances.
    assert repeat_factors({"de": 189, "en": 420}) == {"de": 3, "en": 1}
    assert repeat_factors({"de": 231, "en": 392}) == {"de": 2, "en": 1}
    assert repeat_factors({"de": 185, "zh": 7200}) == {"de": 39, "zh": 1}
    assert repeat_factors({"en": 420, "zh": 7200}) == {"en": 18, "zh": 1}


def test_deen_mixture_on_fold_1(demo: dict[str, Path], cache: str) -> None:
    mixture = build_mixture(demo, 1, ["de", "en"], cache_dir=cache)
    # Demo sizes: Emo-DB 6 training speakers x 4 classes x 3 = 72; RAVDESS 15 actors x (3 + 3 + 3 + 3) = 180.
    assert mixture.sizes == {"de": 72, "en": 180} and mixture.repeat_factors == {"de": 3, "en": 1}
    assert len(mixture.train) == 72 * 3 + 180
    assert Counter(mixture.train["language"]) == {"de": 216, "en": 180}
    assert mixture.scheme == "DEEN" and mixture.test_languages == ("zh",) and mixture.fold == 1
    assert mixture.settings == {"de": "within", "en": "within", "zh": "cross"}
    assert sorted(set(mixture.test["zh"]["speaker"])) == ["0009", "0010"]
    assert sorted(set(mixture.validation["speaker"])) == ["13", "14", "16", "17", "18", "19", "20"]
    assert "de 72 x3 + en 180 x1" in mixture.summary() and "test[zh] (cross): 24" in mixture.summary()
    unbalanced = build_mixture(demo, 1, ["de", "en"], balance=False, cache_dir=cache)
    assert unbalanced.repeat_factors == {"de": 1, "en": 1} and len(unbalanced.train) == 252


def test_target_shots_come_from_training_speakers_stratified_and_seeded(demo: dict[str, Path], cache: str) -> None:
    mixture = build_mixture(demo, 1, ["de", "en"], target_shots=20, seed=3, cache_dir=cache)
    shots = mixture.train.filter(lambda row: row["language"] == "zh")
    assert mixture.repeat_factors["zh"] == 9 and len(shots) == 20 * 9  # ceil(180 / 20)
    assert set(shots["speaker"]) <= {"0001", "0002", "0003", "0004", "0005", "0006"}  # fold 1's training speakers
    assert len(set(shots["utterance_id"])) == 20
    assert sorted(Counter(shots["label"]).values()) == [45, 45, 45, 45]  # 5 per class (balanced corpus), x9
    again = build_mixture(demo, 1, ["de", "en"], target_shots=20, seed=3, cache_dir=cache)
    other = build_mixture(demo, 1, ["de", "en"], target_shots=20, seed=4, cache_dir=cache)
    assert again.train["utterance_id"] == mixture.train["utterance_id"]
    assert other.train["utterance_id"] != mixture.train["utterance_id"]
    with pytest.raises(ValueError, match="asked for 100 target-language shots, but the training speakers have 72"):
        build_mixture(demo, 1, ["de", "en"], target_shots=100, cache_dir=cache)


def test_bad_mixtures(demo: dict[str, Path], cache: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no corpus for language 'fr'; the corpora hold \['de', 'en', 'zh'\]"):
        build_mixture(demo, 1, ["de", "fr"], cache_dir=cache)
    with pytest.raises(ValueError, match="must be non-empty and disjoint from the held-out languages"):
        build_mixture(demo, 1, ["de", "en"], ["en"], cache_dir=cache)
    casia = generate_demo_corpora(tmp_path, corpora=["casia"], utterances_per_class=1, duration=0.2)["casia"]
    with pytest.raises(
        ValueError, match="corpora esd and casia are both 'zh': a mixture takes one corpus per language"
    ):
        build_mixture({**demo, "casia": casia}, 1, ["de", "zh"], cache_dir=cache)
    with pytest.raises(ValueError, match="casia: fold must be between 1 and 4, got 5"):
        build_mixture({"emodb": demo["emodb"], "casia": casia}, 5, ["de"], cache_dir=cache)


def _rows(corpus: str, speakers: list[str], prefix: str = "u") -> Dataset:
    ids = [f"{prefix}{i}" for i in range(len(speakers))]
    return Dataset.from_dict({"corpus": [corpus] * len(speakers), "speaker": speakers, "utterance_id": ids})


def test_leakage_guard_names_speakers_and_utterances() -> None:
    train, validation = _rows("emodb", ["03", "08"]), _rows("emodb", ["09"], prefix="v")
    check_leakage(train, validation, {"de": _rows("emodb", ["10"], prefix="t"), "en": _rows("ravdess", ["03"])})
    with pytest.raises(ValueError, match=r"speaker\(s\) emodb:08 in both train and test\[de\]"):
        check_leakage(train, validation, {"de": _rows("emodb", ["08"], prefix="t")})
    with pytest.raises(ValueError, match=r"speaker\(s\) emodb:09 in both validation and test\[de\]"):
        check_leakage(train, validation, {"de": _rows("emodb", ["09"], prefix="t")})
    with pytest.raises(ValueError, match=r"speaker\(s\) emodb:03 in both train and validation"):
        check_leakage(train, _rows("emodb", ["03"], prefix="v"), {})
    with pytest.raises(ValueError, match=r"utterance\(s\) emodb:u0 in both train and test\[de\]"):
        check_leakage(train, validation, {"de": _rows("emodb", ["10"])})


def test_resolve_folds_takes_the_folds_every_corpus_has() -> None:
    # CASIA has 4 speaker folds: 'all' runs the folds every corpus has.
    assert resolve_folds("all", {"emodb": 5, "ravdess": 5, "casia": 4}) == [1, 2, 3, 4]
    assert resolve_folds("3", {"emodb": 5}) == [3]
    with pytest.raises(ValueError, match="between 1 and 4 .*casia 4"):
        resolve_folds(5, {"emodb": 5, "casia": 4})
