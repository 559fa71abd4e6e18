"""run_classification.py end to end on small synthetic corpora: results, resume, reload, folds, processes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoFeatureExtractor, AutoModelForAudioClassification, pipeline

import hf_xser  # noqa: F401  (registers the model with the Auto classes)
from hf_xser.data import build_mixture, load_corpus
from hf_xser.data.collator import CroppedWaveforms
from hf_xser.data.synthetic import generate_demo_corpora
from hf_xser.metrics import SERMetrics

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "run_classification.py"
TINY_RUN = [
    "--config_name", "tiny", "--train_languages", "de,en", "--fold", "1", "--seed", "7",
    "--head_hidden_size", "16", "--per_device_train_batch_size", "8", "--per_device_eval_batch_size", "16",
    "--max_steps", "6", "--eval_strategy", "steps", "--save_strategy", "steps", "--eval_steps", "3",
    "--save_steps", "3", "--save_total_limit", "10", "--logging_steps", "1", "--learning_rate", "3e-3",
    "--use_cpu", "true", "--report_to", "none", "--disable_tqdm", "true",
]  # fmt: skip


def _run(args: list[str], launcher: list[str] | None = None) -> str:
    command = [*(launcher or [sys.executable]), str(SCRIPT), *args]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return result.stdout + result.stderr


def _results(output_dir: Path) -> dict:
    return json.loads((output_dir / "all_results.json").read_text())


def _wccn_buffers(output_dir: Path) -> dict[str, torch.Tensor]:
    return {k: v for k, v in load_file(output_dir / "model.safetensors").items() if k.startswith("wccn.")}


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpora")
    generate_demo_corpora(root, seed=3, utterances_per_class=2, duration=1.0)
    return root


@pytest.fixture(scope="module")
def reference_run(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output_dir = tmp_path_factory.mktemp("reference")
    _run([*TINY_RUN, "--corpora_root", str(corpora), "--output_dir", str(output_dir)])
    return output_dir


def test_results_cover_every_test_set_with_fold_counts(reference_run: Path, corpora: Path) -> None:
    payload = _results(reference_run)
    records = {r["test_set"]: r for r in payload["results"]}
    assert {name: r["setting"] for name, r in records.items()} == {"de": "within", "en": "within", "zh": "cross"}
    for name, corpus in (("de", "emodb"), ("en", "ravdess"), ("zh", "esd")):
        test_split = load_corpus(corpus, corpora / corpus, fold=1)["test"]
        assert records[name]["num_utterances"] == len(test_split)
        assert np.sum(records[name]["confusion_matrix"]) == len(test_split)
    assert payload["settings"]["scheme"] == "DEEN" and payload["settings"]["repeat_factors"]["en"] == 1
    card = (reference_run / "README.md").read_text()
    assert "model-index" in card and "Mandarin test speakers, fold 1 (cross-language)" in card
    config = json.loads((reference_run / "config.json").read_text())
    assert config["auto_map"]["AutoModelForAudioClassification"].endswith("Wav2Vec2ForWCCNClassification")


def test_saved_model_reproduces_reported_ua_through_auto_class_and_pipeline(
    reference_run: Path, corpora: Path
) -> None:
    model = AutoModelForAudioClassification.from_pretrained(reference_run).eval()
    extractor = AutoFeatureExtractor.from_pretrained(reference_run)
    classifier = pipeline("audio-classification", model=model, feature_extractor=extractor, device="cpu")
    mixture = build_mixture({c: corpora / c for c in ("emodb", "ravdess", "esd")}, 1, ["de", "en"])
    metrics = SERMetrics(num_labels=4)
    for record in _results(reference_run)["results"]:
        crops = CroppedWaveforms(mixture.test[record["test_set"]], 2.0, random_crop=False)
        items = [crops[i] for i in range(len(crops))]
        references = [item["labels"] for item in items]
        batch = extractor([item["input_values"] for item in items], sampling_rate=16_000, padding=True,
                          return_attention_mask=True, return_tensors="pt")  # fmt: skip
        with torch.no_grad():
            predictions = model(**batch).logits.argmax(-1).tolist()
        assert metrics(predictions, references)["ua"] == record["ua"]
        labels = [classifier(item["input_values"], top_k=1)[0]["label"] for item in items]
        piped = [model.config.label2id[label] for label in labels]
        assert metrics(piped, references)["ua"] == record["ua"]


def test_killed_run_resumes_to_the_same_results(reference_run: Path, corpora: Path, tmp_path: Path) -> None:
    output_dir = tmp_path / "resumed"
    args = [*TINY_RUN, "--corpora_root", str(corpora), "--output_dir", str(output_dir)]
    _run(args)
    # What a run killed between its two checkpoints leaves behind: the first checkpoint only.
    shutil.rmtree(output_dir / "checkpoint-6")
    for name in ("model.safetensors", "all_results.json", "trainer_state.json", "README.md"):
        (output_dir / name).unlink()
    log = _run(args)
    assert "Resuming from" in log and "checkpoint-3" in log
    expected, resumed = _results(reference_run)["results"], _results(output_dir)["results"]
    assert [(r["ua"], r["wa"], r["confusion_matrix"]) for r in resumed] == [
        (r["ua"], r["wa"], r["confusion_matrix"]) for r in expected
    ]
    reference_buffers, resumed_buffers = _wccn_buffers(reference_run), _wccn_buffers(output_dir)
    assert reference_buffers.keys() == resumed_buffers.keys() and reference_buffers
    for key, value in reference_buffers.items():
        torch.testing.assert_close(resumed_buffers[key], value, rtol=0, atol=0)


def test_all_folds_add_mean_and_std(corpora: Path, tmp_path: Path) -> None:
    args = [*TINY_RUN, "--corpora_root", str(corpora), "--output_dir", str(tmp_path), "--fold", "all"]
    args[args.index("--max_steps") + 1] = "1"
    _run(args)
    payload = _results(tmp_path)
    assert sorted({r["fold"] for r in payload["results"]}) == [1, 2, 3, 4, 5]
    assert all(entry["folds"] == [1, 2, 3, 4, 5] for entry in payload["summary"])
    for fold in range(1, 6):
        assert [r["fold"] for r in _results(tmp_path / f"fold{fold}")["results"]] == [fold] * 3
        assert (tmp_path / f"fold{fold}" / "README.md").is_file()


def test_two_process_torchrun(corpora: Path, tmp_path: Path) -> None:
    args = [*TINY_RUN, "--corpora_root", str(corpora), "--output_dir", str(tmp_path), "--ddp_backend", "gloo"]
    launcher = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29533"]
    _run(args, launcher)
    records = _results(tmp_path)["results"]
    assert sorted(r["test_set"] for r in records) == ["de", "en", "zh"]
    state = json.loads((tmp_path / "trainer_state.json").read_text())
    assert state["global_step"] == 6


def test_offline_push_keeps_the_run(corpora: Path, tmp_path: Path) -> None:
    args = [*TINY_RUN, "--corpora_root", str(corpora), "--output_dir", str(tmp_path), "--max_steps", "1"]
    log = _run([*args, "--push_to_hub", "true", "--hub_model_id", "someone/xser-test"])
    assert "Could not push to the Hub repository someone/xser-test" in log
    assert (tmp_path / "model.safetensors").is_file() and (tmp_path / "README.md").is_file()


@pytest.mark.real_data
def test_real_corpora_german_mandarin_to_english(corpora_dir: Path, tmp_path: Path) -> None:
    args = [*TINY_RUN, "--output_dir", str(tmp_path), "--max_steps", "2", "--train_languages", "de,zh"]
    args += ["--emodb_dir", str(corpora_dir / "emodb"), "--ravdess_dir", str(corpora_dir / "ravdess")]
    _run([*args, "--casia_dir", str(corpora_dir / "casia")])
    records = {r["test_set"]: r for r in _results(tmp_path)["results"]}
    assert {k: r["setting"] for k, r in records.items()} == {"de": "within", "zh": "within", "en": "cross"}
    for name, corpus in (("de", "emodb"), ("zh", "casia"), ("en", "ravdess")):
        assert records[name]["num_utterances"] == len(load_corpus(corpus, corpora_dir / corpus, fold=1)["test"])


def test_lora_run_saves_a_plain_loadable_model(corpora: Path, tmp_path: Path) -> None:
    args = [*TINY_RUN, "--corpora_root", str(corpora), "--output_dir", str(tmp_path), "--max_steps", "2"]
    _run([*args, "--use_lora", "true", "--lora_rank", "4"])
    weights = load_file(tmp_path / "model.safetensors")
    assert not [k for k in weights if "lora_" in k or "base_model" in k]
    model = AutoModelForAudioClassification.from_pretrained(tmp_path)
    assert type(model).__name__ == "Wav2Vec2ForWCCNClassification"
    assert _wccn_buffers(tmp_path)["wccn.class_batch_count"].sum() > 0  # the head's statistics were trained and saved
