"""`hf-xser prepare`: a local copy with its dataset card; offline, a clear failure to push and the copy kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from datasets import load_from_disk

from hf_xser.cli import main
from hf_xser.data.synthetic import generate_demo_corpora


@pytest.fixture(scope="module")
def emodb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    return generate_demo_corpora(root, corpora=["emodb"], utterances_per_class=1, duration=0.2)["emodb"]


def test_prepare_saves_splits_and_card(emodb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out"
    assert main(["prepare", "emodb", str(emodb), "--fold", "1", "--output-dir", str(output)]) == 0
    splits = load_from_disk(str(output))
    assert {name: len(split) for name, split in splits.items()} == {"train": 24, "validation": 8, "test": 8}
    card = (output / "README.md").read_text()
    assert card.startswith("---\npretty_name: Emo-DB") and "| test | 8 | angry 2, happy 2, neutral 2, sad 2 |" in card
    assert f"Saved emodb-4class-fold1 to {output}" in capsys.readouterr().out


def test_push_offline_says_so_and_keeps_the_copy(emodb: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    output = tmp_path / "out"
    code = main(["prepare", "emodb", str(emodb), "--output-dir", str(output), "--push-to-hub", "someone/emodb"])
    out = capsys.readouterr().out
    assert code == 1
    assert "Could not push to the Hub repository 'someone/emodb'" in out and f"kept at {output}" in out
    assert len(load_from_disk(str(output))) == 40
