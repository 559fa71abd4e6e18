"""The memory-light quantizer, the contrastive logits and the device-side mask / negative samplers, against HF's
originals."""

import numpy as np
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from transformers import Wav2Vec2Config
from transformers.models.wav2vec2.modeling_wav2vec2 import (
    Wav2Vec2ForPreTraining,
    Wav2Vec2GumbelVectorQuantizer,
    _compute_mask_indices,
)

from hf_xser.models.modeling_wav2vec2_wccn import (
    Wav2Vec2MemoryLightQuantizer,
    contrastive_logits,
    sample_mask_indices,
    sample_negative_indices,
)

CONFIG = Wav2Vec2Config(
    hidden_size=16,
    num_hidden_layers=1,
    num_attention_heads=2,
    intermediate_size=32,
    num_conv_pos_embeddings=8,
    num_conv_pos_embedding_groups=2,
    conv_dim=(24, 24),
    conv_kernel=(10, 3),
    conv_stride=(5, 2),
    num_codevector_groups=2,
    num_codevectors_per_group=40,
    codevector_dim=32,
)
BATCH, FRAMES = 3, 11


class LargestOutput(TorchDispatchMode):
    """Records the largest number of elements of any tensor an aten op returns (forward and backward)."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        output = func(*args, **(kwargs or {}))
        for tensor in output if isinstance(output, (tuple, list)) else (output,):
            if isinstance(tensor, torch.Tensor):
                self.largest = max(self.largest, tensor.numel())
        return output


def quantizer_pair() -> tuple[Wav2Vec2GumbelVectorQuantizer, Wav2Vec2MemoryLightQuantizer]:
    reference = Wav2Vec2GumbelVectorQuantizer(CONFIG)
    torch.nn.init.normal_(reference.codevectors)
    ours = Wav2Vec2MemoryLightQuantizer(CONFIG)
    ours.load_state_dict(reference.state_dict())  # same parameter names as HF's
    return reference, ours


def run(quantizer, features, mask, training, seed=0):
    quantizer.train(training)
    features = features.clone().requires_grad_()
    torch.manual_seed(seed)  # the same Gumbel noise for both
    codevectors, perplexity = quantizer(features, mask_time_indices=mask)
    (codevectors.square().sum() + perplexity).backward()
    return codevectors, perplexity, features.grad, quantizer.codevectors.grad, quantizer.weight_proj.weight.grad


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_same_numbers_and_gradients_as_hf(training, masked):
    reference, ours = quantizer_pair()
    features = torch.randn(BATCH, FRAMES, CONFIG.conv_dim[-1])
    mask = torch.rand(BATCH, FRAMES) < 0.5 if masked else None
    for expected, got in zip(run(reference, features, mask, training), run(ours, features, mask, training)):
        torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)


def test_no_product_of_probabilities_and_codebook_is_materialised():
    reference, ours = quantizer_pair()
    features = torch.randn(BATCH, FRAMES, CONFIG.conv_dim[-1])
    groups, entries = CONFIG.num_codevector_groups, CONFIG.num_codevectors_per_group
    product = BATCH * FRAMES * groups * entries * (CONFIG.codevector_dim // groups)
    sizes = {}
    for name, quantizer in (("hf", reference), ("ours", ours)):
        with LargestOutput() as recorder:
            run(quantizer, features, None, training=True)
        sizes[name] = recorder.largest
    assert sizes["hf"] >= product  # the recorder does see HF's (B·T, G·V, D/G) tensor
    assert sizes["ours"] < product // 4


def test_model_uses_the_memory_light_quantizer():
    from hf_xser import Wav2Vec2ForWCCNClassification, Wav2Vec2WCCNConfig

    backbone = {key: value for key, value in CONFIG.to_dict().items() if key != "model_type"}
    model = Wav2Vec2ForWCCNClassification(Wav2Vec2WCCNConfig(**backbone))
    assert isinstance(model.quantizer, Wav2Vec2MemoryLightQuantizer)


def hf_contrastive_logits(predicted, targets, negatives, temperature):
    """Steps 3-5 of `Wav2Vec2ForPreTraining.forward`: gathered distractors, cosine logits, equal ones at -inf."""
    batch_size, num_frames, dim = targets.shape
    negative_features = targets.view(-1, dim)[negatives.view(-1)].view(batch_size, num_frames, -1, dim)
    negative_features = negative_features.permute(2, 0, 1, 3)
    logits = Wav2Vec2ForPreTraining.compute_contrastive_logits(
        targets[None], negative_features, predicted, temperature
    )
    neg_is_pos = (targets == negative_features).all(-1)
    if neg_is_pos.any():
        logits[1:][neg_is_pos] = float("-inf")
    return logits.permute(1, 2, 0), neg_is_pos.permute(1, 2, 0)


def test_contrastive_logits_equal_hf_with_repeated_targets():
    generator = torch.Generator().manual_seed(0)
    codebook = torch.randn(4, 6, generator=generator)
    codebook[0, 0] = 0.0
    # Targets drawn from 4 vectors, so many distractors equal their target; one copy has -0.0 where the other has
    # 0.0 (equal for `==`, different bits).
    targets = codebook[torch.randint(0, 4, (BATCH, FRAMES), generator=generator)]
    targets[1, 2] = codebook[0]
    targets[0, 0] = codebook[0]
    targets[0, 0, 0] = -0.0
    negatives = torch.randint(0, BATCH * FRAMES, (BATCH, FRAMES, 5), generator=generator)
    negatives[1, 2, 0] = 0  # the -0.0 copy as a distractor of the 0.0 one
    predicted = torch.randn(BATCH, FRAMES, 6, generator=generator)
    weights = torch.randn(BATCH, FRAMES, 6, generator=generator)

    def logits_and_gradients(function):
        inputs = [predicted.clone().requires_grad_(), targets.clone().requires_grad_()]
        logits = function(*inputs, negatives, 0.1)
        logits = logits[0] if isinstance(logits, tuple) else logits
        logits.masked_fill(logits.isinf(), 0).mul(weights).sum().backward()
        return logits.detach(), inputs[0].grad, inputs[1].grad

    _, neg_is_pos = hf_contrastive_logits(predicted, targets, negatives, 0.1)
    assert neg_is_pos[1, 2, 0] and neg_is_pos.any() and not neg_is_pos.all()
    expected, got = logits_and_gradients(hf_contrastive_logits), logits_and_gradients(contrastive_logits)
    assert torch.equal(got[0].isinf(), expected[0].isinf())
    for want, have in zip(expected, got):
        torch.testing.assert_close(have, want, atol=1e-5, rtol=1e-5)


def test_contrastive_logits_gather_no_distractor_vectors():
    dim, negatives = 32, 20
    predicted = torch.randn(BATCH, FRAMES, dim, requires_grad=True)
    targets = torch.randn(BATCH, FRAMES, dim, requires_grad=True)
    indices = torch.randint(0, BATCH * FRAMES, (BATCH, FRAMES, negatives))
    gathered = BATCH * FRAMES * negatives * dim
    sizes = {}
    for name, function in (("hf", hf_contrastive_logits), ("ours", contrastive_logits)):
        with LargestOutput() as recorder:
            logits = function(predicted, targets, indices, 0.1)
            (logits[0] if isinstance(logits, tuple) else logits).exp().sum().backward()
        sizes[name] = recorder.largest
    assert sizes["hf"] >= gathered  # the recorder does see HF's (K, B, T, D) distractors
    assert sizes["ours"] < gathered // 4


def test_mask_sampler_matches_hf_distribution():
    lengths = torch.tensor([50, 37, 12])
    attention = torch.arange(50)[None] < lengths[:, None]
    ours = torch.stack([sample_mask_indices(lengths, 50, 0.3, 4, min_masks=2) for _ in range(400)]).float()
    np.random.seed(0)
    hf = np.stack([_compute_mask_indices((3, 50), 0.3, 4, attention, min_masks=2) for _ in range(400)])
    assert not (ours.bool() & ~attention).any()  # never beyond an utterance's frames
    assert ours.sum(-1).min() >= 2 * 1  # at least min_masks spans (possibly overlapping)
    # Masked fraction per utterance and per position agree with HF's sampler.
    torch.testing.assert_close(ours.mean((0, 2)), torch.from_numpy(hf).float().mean((0, 2)), atol=0.03, rtol=0)
    torch.testing.assert_close(ours.mean(0), torch.from_numpy(hf).float().mean(0), atol=0.12, rtol=0)


def test_negatives_come_from_other_valid_frames_of_the_same_utterance():
    lengths = torch.tensor([9, 4, 2])
    negatives = sample_negative_indices(lengths, 9, num_negatives=50)
    utterance, frame = negatives // 9, negatives % 9
    assert (utterance == torch.arange(3)[:, None, None]).all()
    valid = torch.arange(9)[None] < lengths[:, None]
    assert (frame < lengths[:, None, None]).all()
    assert (frame[valid] != torch.arange(9).expand(3, 9)[valid][:, None]).all()  # never the positive itself
    assert set(frame[0, 0].tolist()) == set(range(1, 9))  # uniform over the others: all of them show up
    assert (frame[~valid] == 0).all()  # padded frames point at frame 0, as in HF


def test_collator_draws_the_contrastive_indices():
    from hf_xser.data.collator import WaveformCollator
    from hf_xser.training.model_setup import default_feature_extractor

    config = Wav2Vec2Config(mask_time_prob=0.05, mask_time_length=10, num_negatives=100)
    items = [{"input_values": np.ones(n, dtype=np.float32), "labels": 0} for n in (32000, 20000)]
    batch = WaveformCollator(default_feature_extractor(), 2.0, contrastive_config=config)(items)
    mask, negatives = batch["mask_time_indices"], batch["sampled_negative_indices"]
    assert mask.shape == (2, 99) and negatives.shape == (2, 99, 100)
    assert mask[0].any() and mask[1].any() and not mask[1, 62:].any()  # 20000 samples = 62 frames
