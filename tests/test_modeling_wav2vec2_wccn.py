"""Wav2Vec2ForWCCNClassification on tiny random configs, each behaviour against an independent reference."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors import safe_open
from transformers import (
    AutoModel,
    AutoModelForAudioClassification,
    Wav2Vec2Config,
    Wav2Vec2FeatureExtractor,
    Wav2Vec2ForPreTraining,
    Wav2Vec2Model,
    pipeline,
)
from transformers.models.wav2vec2.modeling_wav2vec2 import _compute_mask_indices, _sample_negative_indices

import hf_xser
from hf_xser import DeepWCCN, Wav2Vec2ForWCCNClassification, Wav2Vec2WCCNConfig
from hf_xser.models.modeling_wav2vec2_wccn import sample_contrastive_indices

ROOT = Path(__file__).resolve().parents[1]
NUM_LABELS = 4
BACKBONE = {
    "hidden_size": 16,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 37,
    "conv_dim": (32, 32, 32),
    "conv_kernel": (8, 8, 8),
    "conv_stride": (4, 4, 4),
    "num_conv_pos_embeddings": 16,
    "num_conv_pos_embedding_groups": 2,
    "feat_extract_norm": "layer",  # as XLSR-53: padding-aware through the attention mask
    "do_stable_layer_norm": True,
    "num_codevectors_per_group": 10,
    "num_codevector_groups": 2,
    "codevector_dim": 16,
    "proj_codevector_dim": 12,
    "num_negatives": 5,
    "mask_time_prob": 0.3,
    "mask_time_length": 2,
}
NO_DROPOUT = {
    name: 0.0
    for name in ("hidden_dropout", "activation_dropout", "attention_dropout", "feat_proj_dropout", "layerdrop")
}


def tiny_config(**kwargs) -> Wav2Vec2WCCNConfig:
    return Wav2Vec2WCCNConfig(**{**BACKBONE, "num_labels": NUM_LABELS, "head_hidden_size": 8, **kwargs})


def tiny_model(**kwargs) -> Wav2Vec2ForWCCNClassification:
    torch.manual_seed(0)
    return Wav2Vec2ForWCCNClassification(tiny_config(**kwargs))


def batch(lengths=(2000, 1500, 1024, 1800), seed=0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Right zero-padded waveforms, their attention mask, and labels covering two classes twice."""
    generator = torch.Generator().manual_seed(seed)
    values = torch.zeros(len(lengths), max(lengths))
    mask = torch.zeros(len(lengths), max(lengths), dtype=torch.long)
    for i, length in enumerate(lengths):
        values[i, :length] = torch.randn(length, generator=generator)
        mask[i, :length] = 1
    labels = torch.tensor([0, 1, 0, 1, 2, 3, 2, 3][: len(lengths)])
    return values, mask, labels


def train_steps(model: Wav2Vec2ForWCCNClassification, steps: int = 2) -> None:
    """A few optimiser steps so that weights and Deep-WCCN buffers are not at their initial values."""
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    model.train()
    for step in range(steps):
        values, mask, labels = batch(seed=step)
        model(values, attention_mask=mask, labels=labels).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()


def contrastive_inputs(model: Wav2Vec2ForWCCNClassification, values: torch.Tensor) -> tuple[torch.Tensor, ...]:
    num_frames = int(model._get_feat_extract_output_lengths(torch.tensor(values.shape[1])))
    shape = (values.shape[0], num_frames)
    mask = _compute_mask_indices(shape, mask_prob=0.3, mask_length=2, min_masks=2)
    negatives = _sample_negative_indices(shape, model.config.num_negatives, mask_time_indices=mask)
    return torch.from_numpy(mask), torch.from_numpy(negatives).long()


# --- the auxiliary loss (eq. 9) against HF's Wav2Vec2ForPreTraining


@pytest.mark.parametrize("training", [False, True])
def test_auxiliary_loss_equals_hf_pretraining(training):
    torch.manual_seed(0)
    reference = Wav2Vec2ForPreTraining(Wav2Vec2Config(**BACKBONE, **NO_DROPOUT))
    model = tiny_model(aux_loss_weight=1e-3, head_dropout=0.0, **NO_DROPOUT)
    missing, unexpected = model.load_state_dict(reference.state_dict(), strict=False)
    assert not unexpected and all(not key.startswith(("wav2vec2.", "quantizer.")) for key in missing)
    values, _, labels = batch(lengths=(2000, 2000, 2000, 2000))
    mask, negatives = contrastive_inputs(model, values)
    model.train(training)
    reference.train(training)

    torch.manual_seed(1)  # the same Gumbel noise in training
    expected = reference(values, mask_time_indices=mask, sampled_negative_indices=negatives)
    torch.manual_seed(1)
    output = model(values, labels=labels, mask_time_indices=mask, sampled_negative_indices=negatives)

    torch.testing.assert_close(output.contrastive_loss, expected.contrastive_loss, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(output.diversity_loss, expected.diversity_loss, rtol=1e-5, atol=1e-5)
    aux = output.contrastive_loss + 0.1 * output.diversity_loss
    torch.testing.assert_close(aux, expected.loss, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(output.loss, output.classification_loss + 1e-3 * aux)
    logits = model.eval()(values).logits
    torch.testing.assert_close(output.classification_loss, torch.nn.functional.cross_entropy(logits, labels))


def test_aux_loss_off_does_no_extra_work():
    model = tiny_model(aux_loss_weight=0.0).train()
    calls = []
    model.quantizer.register_forward_hook(lambda *args: calls.append(1))
    values, mask, labels = batch()
    output = model(values, attention_mask=mask, labels=labels)
    assert calls == [] and output.contrastive_loss is None and output.diversity_loss is None
    assert torch.equal(output.loss, output.classification_loss)
    assert not any(p.requires_grad for p in model.quantizer.parameters())  # DDP must not wait for them


def test_masks_drawn_in_forward_respect_padding():
    model = tiny_model(aux_loss_weight=1e-3).train()
    values, mask, labels = batch()
    mask_time, negatives = model._sample_contrastive_indices(values, mask, None, None)
    num_frames = mask_time.shape[1]
    frame_mask = model._get_feature_vector_attention_mask(num_frames, mask)
    assert mask_time.any(-1).all() and not (mask_time & ~frame_mask).any()
    utterance = negatives // num_frames
    assert (utterance == torch.arange(len(values))[:, None, None]).all()  # distractors from the same utterance
    assert frame_mask.flatten()[negatives[frame_mask]].all()  # ... and never from padding
    output = model(values, attention_mask=mask, labels=labels)
    assert output.contrastive_loss.isfinite() and output.loss > output.classification_loss


# --- padding, gradients, mixed precision


@pytest.mark.parametrize("source", ["latent", "context", "weighted"])
def test_padded_batch_equals_items_alone(source):
    model = tiny_model(pooling_source=source)
    model.wccn.projection.copy_(torch.eye(8) + torch.randn(8, 8).tril(-1))  # a non-trivial B
    model.eval()
    values, mask, _ = batch()
    with torch.no_grad():
        padded = model(values, attention_mask=mask).logits
        alone = [model(values[i : i + 1, : int(mask[i].sum())]).logits for i in range(len(values))]
    torch.testing.assert_close(padded, torch.cat(alone), rtol=1e-5, atol=1e-5)


def test_latent_pooling_without_aux_loss_skips_the_transformer():
    model = tiny_model(pooling_source="latent", aux_loss_weight=0.0).eval()
    calls = []
    model.wav2vec2.encoder.register_forward_hook(lambda *args: calls.append(1))
    values, mask, _ = batch()
    with torch.no_grad():
        fast = model(values, attention_mask=mask)
        assert calls == []
        full = model(values, attention_mask=mask, output_hidden_states=True)  # forces the whole backbone
    assert calls == [1]
    torch.testing.assert_close(fast.logits, full.logits, rtol=0, atol=0)
    torch.testing.assert_close(fast.embeddings, full.embeddings, rtol=0, atol=0)


def test_pooling_is_mean_and_std_of_the_chosen_frames():
    model = tiny_model(pooling_source="latent").eval()
    values, mask, _ = batch()
    outputs = model.wav2vec2(values, attention_mask=mask)
    pooled = model.pooling(outputs, model._get_feature_vector_attention_mask(outputs.extract_features.shape[1], mask))
    for i in range(len(values)):
        length = int(model._get_feat_extract_output_lengths(mask[i].sum()))
        frames = outputs.extract_features[i, :length].double()
        expected = torch.cat([frames.mean(0), frames.std(0, correction=0)])
        torch.testing.assert_close(pooled[i].double(), expected, rtol=1e-5, atol=1e-5)


def test_gradients_reach_encoder_and_transformer_from_each_loss():
    def grads_reach_backbone(model):
        conv = model.wav2vec2.feature_extractor.conv_layers[0].conv.weight.grad
        attention = model.wav2vec2.encoder.layers[0].attention.q_proj.weight.grad
        return conv is not None and conv.abs().sum() > 0 and attention.abs().sum() > 0

    values, mask, labels = batch()
    model = tiny_model(pooling_source="context", aux_loss_weight=0.0).train()
    model(values, attention_mask=mask, labels=labels).loss.backward()
    assert grads_reach_backbone(model)

    model = tiny_model(pooling_source="latent", aux_loss_weight=1e-3).train()
    output = model(values, attention_mask=mask, labels=labels)
    (output.contrastive_loss + 0.1 * output.diversity_loss).backward()  # auxiliary loss only, no cross-entropy
    assert grads_reach_backbone(model)
    assert model.classifier.weight.grad is None


def test_bf16_autocast_training_step_is_finite():
    model = tiny_model(aux_loss_weight=1e-3).train()
    values, mask, labels = batch()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        output = model(values, attention_mask=mask, labels=labels)
    output.loss.backward()
    assert output.loss.isfinite()
    assert all(p.grad.isfinite().all() for p in model.parameters() if p.grad is not None)
    assert model.wccn.projection.dtype == torch.float32 and model.wccn.projection.isfinite().all()
    assert model.wccn.class_batch_count.tolist() == [1, 1, 0, 0]


@pytest.mark.parametrize(
    ("source", "aux_loss_weight", "given_masks", "layerdrop"),
    [
        ("latent", 1e-3, False, 0.1),
        ("context", 1e-3, True, 0.0),
        ("context", 0.0, False, 0.1),
        ("latent", 0.0, False, 0.1),
    ],
)
def test_training_step_is_one_graph_for_torch_compile(source, aux_loss_weight, given_masks, layerdrop):
    # A graph break is where `torch.compile` stops capturing: a host-device sync (`.item()`, `nonzero`, boolean
    # indexing, data-dependent shapes) or an untraceable op. The whole forward of a training step must be one graph.
    model = tiny_model(pooling_source=source, aux_loss_weight=aux_loss_weight, layerdrop=layerdrop).train()
    values, mask, labels = batch()
    inputs = {"attention_mask": mask, "labels": labels}
    if given_masks:  # as `WaveformCollator(contrastive_config=...)` hands them over from the loader
        inputs["mask_time_indices"], inputs["sampled_negative_indices"] = sample_contrastive_indices(
            model.config, mask
        )
    torch._dynamo.reset()
    explanation = torch._dynamo.explain(model)(values, **inputs)
    assert explanation.graph_break_count == 0, [reason.reason for reason in explanation.break_reasons]
    assert explanation.graph_count == 1


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_activation_checkpointing_gives_the_same_gradients(use_reentrant):
    # Reentrant checkpointing only backpropagates into a segment whose input requires grad: the feature encoder
    # must still mark the waveform then (`Wav2Vec2SyncFreeFeatureEncoder`), or its first layer gets no gradient.
    def gradients(checkpointing: bool) -> dict[str, torch.Tensor]:
        model = tiny_model(pooling_source="context", aux_loss_weight=0.0, apply_spec_augment=False, **NO_DROPOUT)
        model.train()
        if checkpointing:
            model.activation_checkpointing_enable({"use_reentrant": use_reentrant})
        model(values, attention_mask=mask, labels=labels).loss.backward()
        return {name: p.grad for name, p in model.named_parameters() if p.grad is not None}

    values, mask, labels = batch()
    plain, checkpointed = gradients(False), gradients(True)
    assert plain.keys() == checkpointed.keys() and "wav2vec2.feature_extractor.conv_layers.0.conv.weight" in plain
    for name, grad in plain.items():
        torch.testing.assert_close(checkpointed[name], grad, rtol=1e-5, atol=1e-6, msg=name)


@pytest.mark.parametrize("stable_layer_norm", [True, False])
@pytest.mark.parametrize("source", ["context", "weighted"])
@pytest.mark.parametrize("layerdrop", [0.0, 1.0])
def test_encoder_equals_hf_with_layerdrop(stable_layer_norm, source, layerdrop):
    # LayerDrop 0 runs every layer and 1 drops every one, in HF's encoder (a host-side skip) and in ours (the skip,
    # or `torch.where` inside the graph for `weighted` pooling): both must give HF's backbone output.
    fields = {**NO_DROPOUT, "layerdrop": layerdrop, "apply_spec_augment": False}
    if not stable_layer_norm:
        fields.update(do_stable_layer_norm=False, feat_extract_norm="group")
    model = tiny_model(pooling_source=source, aux_loss_weight=0.0, **fields).train()
    reference = Wav2Vec2Model(Wav2Vec2Config(**{**BACKBONE, **fields})).train()
    reference.load_state_dict(model.wav2vec2.state_dict())
    values, mask, _ = batch()
    if not stable_layer_norm:
        mask = None  # the group-norm encoder is not padding-aware (HF's `return_attention_mask=False` for it)
    expected = reference(values, attention_mask=mask, output_hidden_states=True)
    got = model.wav2vec2(values, attention_mask=mask, output_hidden_states=True)
    torch.testing.assert_close(got.last_hidden_state, expected.last_hidden_state, rtol=1e-5, atol=1e-5)
    if layerdrop == 0.0:
        assert len(got.hidden_states) == len(expected.hidden_states) == 3


def test_weighted_pooling_trains_with_layerdrop():
    # Every layer's output is read, so none may go missing from `hidden_states` when LayerDrop drops it.
    model = tiny_model(pooling_source="weighted", aux_loss_weight=0.0, layerdrop=0.5).train()
    values, mask, labels = batch()
    for seed in range(6):
        torch.manual_seed(seed)
        output = model(values, attention_mask=mask, labels=labels, output_hidden_states=True)
        assert len(output.hidden_states) == 3 and output.loss.isfinite()


def test_outputs_and_freeze_feature_encoder():
    model = tiny_model(attn_implementation="eager").eval()
    values, mask, _ = batch()
    output = model(values, attention_mask=mask, output_hidden_states=True, output_attentions=True)
    assert output.logits.shape == (4, NUM_LABELS) and output.loss is None
    assert output.embeddings.shape == output.wccn_embeddings.shape == (4, 8)
    torch.testing.assert_close(output.wccn_embeddings, output.embeddings @ model.wccn.projection)
    assert len(output.hidden_states) == 3 and len(output.attentions) == 2
    assert model(values).hidden_states is None
    model.freeze_feature_encoder()
    assert not any(p.requires_grad for p in model.wav2vec2.feature_extractor.parameters())
    no_wccn = tiny_model(use_wccn=False).eval()
    output = no_wccn(values, attention_mask=mask)
    assert no_wccn.wccn is None and torch.equal(output.embeddings, output.wccn_embeddings)


def test_trains_with_the_hf_trainer(tmp_path):
    from transformers import Trainer, TrainingArguments

    values, mask, labels = batch()
    rows = [{"input_values": v, "attention_mask": m, "labels": y} for v, m, y in zip(values, mask, labels)]
    model = tiny_model(aux_loss_weight=1e-3)
    arguments = TrainingArguments(
        output_dir=str(tmp_path),
        per_device_train_batch_size=4,
        max_steps=2,
        use_cpu=True,
        report_to=[],
        save_strategy="no",
    )
    result = Trainer(model=model, args=arguments, train_dataset=rows).train()
    assert np.isfinite(result.training_loss)
    assert model.wccn.class_batch_count.tolist() == [2, 2, 0, 0]


# --- saving, loading, Auto classes, Hub code, pipeline, PEFT


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory) -> tuple[Path, Wav2Vec2ForWCCNClassification]:
    model = tiny_model(pooling_source="weighted", aux_loss_weight=0.0)
    train_steps(model)
    directory = tmp_path_factory.mktemp("saved")
    model.save_pretrained(directory)
    return directory, model


def test_save_and_load_keep_logits_and_buffers(saved_model):
    directory, model = saved_model
    with safe_open(directory / "model.safetensors", "pt") as weights:
        assert {"wccn.projection", "wccn.class_covariance", "wccn.class_batch_count"} <= set(weights.keys())
    assert model.wccn.class_batch_count.tolist() == [2, 2, 0, 0]
    values, mask, _ = batch(seed=5)
    expected = model(values, attention_mask=mask).logits
    for loader in (Wav2Vec2ForWCCNClassification, AutoModelForAudioClassification, AutoModel):
        loaded = loader.from_pretrained(directory).eval()
        assert type(loaded) is Wav2Vec2ForWCCNClassification
        torch.testing.assert_close(loaded(values, attention_mask=mask).logits, expected, rtol=0, atol=0)
        for name, buffer in model.wccn.named_buffers():
            assert torch.equal(getattr(loaded.wccn, name), buffer), name


def test_pretraining_checkpoint_fills_all_but_the_head(tmp_path):
    torch.manual_seed(0)
    pretrained = Wav2Vec2ForPreTraining(Wav2Vec2Config(**BACKBONE))
    pretrained.save_pretrained(tmp_path)
    model, info = Wav2Vec2ForWCCNClassification.from_pretrained(
        tmp_path, num_labels=NUM_LABELS, head_hidden_size=8, output_loading_info=True
    )
    head = ("pooling.", "head_projection.", "wccn.", "head_layer_norm.", "classifier.")
    assert info["missing_keys"] and all(key.startswith(head) for key in info["missing_keys"])
    assert {"wccn.projection", "wccn.class_covariance", "wccn.class_batch_count"} <= set(info["missing_keys"])
    assert not info["unexpected_keys"] and not info["mismatched_keys"]
    state = model.state_dict()
    for key, value in pretrained.state_dict().items():
        assert torch.equal(state[key], value), key
    # Buffers missing from the checkpoint are initialised, not left as uninitialised memory.
    assert torch.equal(model.wccn.projection, torch.eye(8))
    assert not model.wccn.class_covariance.any() and not model.wccn.class_batch_count.any()


REMOTE_CODE_SCRIPT = """
import sys
sys.modules["hf_xser"] = None  # `import hf_xser` must fail: only the files saved beside the weights may be used
sys.path = [p for p in sys.path if p not in ("", ".", {root!r})]
import torch
from transformers import AutoModelForAudioClassification
model = AutoModelForAudioClassification.from_pretrained({directory!r}, trust_remote_code=True).eval()
assert type(model).__module__.startswith("transformers_modules"), type(model).__module__
inputs = torch.load({inputs!r})
torch.save(model(**inputs).logits, {output!r})
"""


def test_loads_with_trust_remote_code_without_hf_xser(saved_model, tmp_path):
    directory, model = saved_model
    config = json.loads((directory / "config.json").read_text())
    assert config["auto_map"] == {
        "AutoConfig": "configuration_wav2vec2_wccn.Wav2Vec2WCCNConfig",
        "AutoModelForAudioClassification": "modeling_wav2vec2_wccn.Wav2Vec2ForWCCNClassification",
    }
    assert (directory / "modeling_wav2vec2_wccn.py").is_file() and (
        directory / "configuration_wav2vec2_wccn.py"
    ).is_file()
    values, mask, _ = batch(seed=6)
    torch.save({"input_values": values, "attention_mask": mask}, tmp_path / "inputs.pt")
    script = REMOTE_CODE_SCRIPT.format(
        root=str(ROOT), directory=str(directory), inputs=str(tmp_path / "inputs.pt"), output=str(tmp_path / "out.pt")
    )
    env = {**os.environ, "PYTHONPATH": "", "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    expected = model(values, attention_mask=mask).logits
    torch.testing.assert_close(torch.load(tmp_path / "out.pt"), expected, rtol=0, atol=0)


def test_audio_classification_pipeline(saved_model, tmp_path):
    _, model = saved_model
    model.config.id2label = {i: name for i, name in enumerate(["angry", "happy", "neutral", "sad"])}
    model.config.label2id = {name: i for i, name in model.config.id2label.items()}
    model.save_pretrained(tmp_path)
    extractor = Wav2Vec2FeatureExtractor(do_normalize=True, return_attention_mask=True)
    extractor.save_pretrained(tmp_path)
    audio = np.random.default_rng(0).normal(size=1600).astype(np.float32)
    scores = pipeline("audio-classification", model=str(tmp_path), device="cpu")(audio, top_k=None)
    inputs = extractor(audio, sampling_rate=16000, return_tensors="pt")
    expected = model(**inputs).logits.softmax(-1)[0]
    got = {item["label"]: item["score"] for item in scores}
    for i, name in model.config.id2label.items():
        assert got[name] == pytest.approx(expected[i].item(), abs=1e-6)


def test_lora_adapter_round_trip(tmp_path):
    from peft import PeftModel

    from hf_xser.models.lora import apply_lora

    model = apply_lora(tiny_model(pooling_source="weighted", aux_loss_weight=0.0))
    trainable = {name for name, p in model.named_parameters() if p.requires_grad}
    assert any("lora_A" in name for name in trainable) and any("classifier" in name for name in trainable)
    assert any("layer_weights" in name for name in trainable)
    assert not any("feature_extractor" in name or "quantizer" in name for name in trainable)
    train_steps(model)
    model.save_pretrained(tmp_path)
    values, mask, _ = batch(seed=7)
    expected = model(values, attention_mask=mask).logits
    trained_wccn = model.base_model.model.wccn.modules_to_save["default"]
    assert trained_wccn.class_batch_count.tolist() == [2, 2, 0, 0]

    reloaded = PeftModel.from_pretrained(tiny_model(pooling_source="weighted", aux_loss_weight=0.0), tmp_path).eval()
    torch.testing.assert_close(reloaded(values, attention_mask=mask).logits, expected, rtol=0, atol=0)
    reloaded_wccn = reloaded.base_model.model.wccn.modules_to_save["default"]
    for name, buffer in trained_wccn.named_buffers():
        assert torch.equal(getattr(reloaded_wccn, name), buffer), name


def test_exported_names():
    assert hf_xser.Wav2Vec2WCCNConfig is Wav2Vec2WCCNConfig
    assert hf_xser.Wav2Vec2ForWCCNClassification is Wav2Vec2ForWCCNClassification
    assert hf_xser.DeepWCCN is DeepWCCN
    assert Wav2Vec2ForWCCNClassification.config_class is Wav2Vec2WCCNConfig
