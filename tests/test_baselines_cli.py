"""`hf-xser baseline` end to end: synthetic corpora in the real layouts, and (marked) the real corpora."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hf_xser.baselines import cache as cache_module
from hf_xser.cli import main
from hf_xser.data.synthetic import generate_demo_corpora

PER_CLASS = 2


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpora")
    generate_demo_corpora(root, corpora=("emodb", "ravdess", "casia"), utterances_per_class=PER_CLASS, duration=1.0)
    return root


@pytest.fixture(scope="module")
def feature_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("features")


def fold1_test_files(root: Path) -> dict[str, int]:
    """Files of fold 1's test speakers, counted on disk (Table 2: Emo-DB 15, 16; RAVDESS 21-24; CASIA liuchanhg)."""
    emodb = [p for p in (root / "emodb").rglob("*.wav") if p.name[:2] in ("15", "16")]
    ravdess = [p for p in (root / "ravdess").rglob("*.wav") if p.stem.split("-")[-1] in ("21", "22", "23", "24")]
    casia = list((root / "casia" / "liuchanhg").rglob("*.wav"))
    return {"de": len(emodb), "en": len(ravdess), "zh": len(casia)}


def read(path: Path) -> dict:
    return json.loads(path.read_text())


def test_baseline_command_writes_the_training_scripts_results(
    demo_root: Path,
    feature_cache: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    common = ["baseline", "--corpora-root", str(demo_root), "--fold", "1", "--feature-cache-dir", str(feature_cache)]
    assert main([*common, "--schemes", "DEEN,DECH", "--output-dir", str(tmp_path / "plain"), "--no-progress"]) == 0
    expected = fold1_test_files(demo_root)
    assert expected == {"de": 2 * 4 * PER_CLASS, "en": 4 * 4 * PER_CLASS, "zh": 4 * PER_CLASS}
    for scheme, within, cross in (("DEEN", {"de", "en"}, "zh"), ("DECH", {"de", "zh"}, "en")):
        payload = read(tmp_path / "plain" / scheme / "all_results.json")
        settings = payload["settings"]
        assert settings["method"] == "egemaps+rf" and settings["scheme"] == scheme and settings["folds"] == [1]
        assert settings["wccn"] is False and settings["test_languages"] == [cross]
        records = {r["test_set"]: r for r in payload["results"]}
        assert {name: r["setting"] for name, r in records.items()} == {
            **dict.fromkeys(within, "within"),
            cross: "cross",
        }
        for name, record in records.items():
            assert record["num_utterances"] == expected[name] == sum(map(sum, record["confusion_matrix"]))
            assert record["labels"] == ["angry", "happy", "neutral", "sad"] and 0 <= record["ua"] <= 1
    assert "DEEN        1  zh         cross" in capsys.readouterr().out

    # With WCCN the cached features are reused: openSMILE must not run again.
    monkeypatch.setattr(cache_module, "extract_functionals", lambda *a, **k: pytest.fail("features re-extracted"))
    args = [*common, "--train-languages", "de,en", "--wccn", "--beta", "0.5", "--output-dir", str(tmp_path / "w")]
    assert main(args) == 0
    settings = read(tmp_path / "w" / "DEEN" / "all_results.json")["settings"]
    assert (settings["method"], settings["wccn"], settings["beta"]) == ("egemaps+wccn+rf", True, 0.5)


def test_baseline_command_refuses_bad_input(demo_root: Path, feature_cache: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown feature set 'mfcc'"):
        main(["baseline", "--corpora-root", str(demo_root), "--features", "mfcc"])
    with pytest.raises(ValueError, match="no corpus folder for language 'zh': pass --esd-dir or --casia-dir"):
        main(["baseline", "--emodb-dir", str(demo_root / "emodb"), "--ravdess-dir", str(demo_root / "ravdess"),
              "--schemes", "DECH"])  # fmt: skip
    with pytest.raises(ValueError, match="--emodb-dir .*: not a folder"):
        main(["baseline", "--emodb-dir", str(tmp_path / "missing")])
    with pytest.raises(ValueError, match="fold must be 'all' or between 1 and 4"):
        main(["baseline", "--corpora-root", str(demo_root), "--fold", "5", "--feature-cache-dir", str(feature_cache)])


@pytest.mark.real_data
def test_baseline_on_real_german_and_mandarin(corpora_dir: Path, tmp_path: Path) -> None:
    # emobase: half eGeMAPS' extraction time, so that both corpora's extraction fits the real-data test's budget.
    args = ["baseline", "--emodb-dir", str(corpora_dir / "emodb"), "--casia-dir", str(corpora_dir / "casia"),
            "--train-languages", "de", "--fold", "1", "--features", "emobase", "--num-workers", "2",
            "--output-dir", str(tmp_path), "--no-progress"]  # fmt: skip
    assert main(args) == 0
    records = {r["test_set"]: r for r in read(tmp_path / "DE" / "all_results.json")["results"]}
    # Fold 1 tests Emo-DB speakers 15 and 16 (73 utterances of the 4 classes) and CASIA's liuchanhg (200).
    assert (records["de"]["num_utterances"], records["zh"]["num_utterances"]) == (73, 200)
    assert records["de"]["ua"] > 0.45  # emobase + forest within German: about 0.7 here; chance is 0.25
