"""Wav2Vec2 with statistics pooling, Deep-WCCN and the auxiliary wav2vec 2.0 loss (paper §3)."""

from dataclasses import dataclass

import torch
from torch import nn
from transformers import initialization as init
from transformers.integrations.deepspeed import is_deepspeed_zero3_enabled
from transformers.integrations.fsdp import is_fsdp_managed_module
from transformers.masking_utils import create_bidirectional_mask
from transformers.modeling_outputs import BaseModelOutput, Wav2Vec2BaseModelOutput
from transformers.models.wav2vec2.modeling_wav2vec2 import (
    Wav2Vec2Encoder,
    Wav2Vec2EncoderStableLayerNorm,
    Wav2Vec2FeatureEncoder,
    Wav2Vec2GumbelVectorQuantizer,
    Wav2Vec2Model,
    Wav2Vec2PreTrainedModel,
    _compute_mask_indices,
)
from transformers.utils import ModelOutput

from .configuration_wav2vec2_wccn import Wav2Vec2WCCNConfig


def _class_statistics(
    features: torch.Tensor, labels: torch.Tensor, num_classes: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-class sufficient statistics in float64: count (K,), sum (K, D) and sum of outer products (K, D, D)."""
    features = features.detach().to(torch.float64)
    one_hot = torch.nn.functional.one_hot(labels.long(), num_classes).to(torch.float64)
    count = one_hot.sum(0)
    total = one_hot.T @ features
    outer = (one_hot.T[:, :, None] * features).mT @ features
    return count, total, outer


def _class_covariances(count: torch.Tensor, total: torch.Tensor, outer: torch.Tensor) -> torch.Tensor:
    """Eq. 4 inside each class, (1/N_k) Σ (h - μ_k)(h - μ_k)ᵀ, from sufficient statistics; zero for empty classes."""
    n = count.clamp_min(1)[:, None, None]
    mean = total[:, :, None] / n
    return outer / n - mean @ mean.mT


def within_class_covariance(features: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Eq. 4 on one set: the average over classes of each class's covariance (1/N_k normalisation).

    Classes with fewer than two examples carry no within-class scatter and are left out of the average (the same
    rule Deep-WCCN applies per batch); with no such class the result is zero. Computed in float64, returned in the
    features' dtype promoted to at least float32.

    Args:
        features (`torch.Tensor` of shape `(num_examples, dim)`): the feature vectors h_i.
        labels (`torch.Tensor` of shape `(num_examples,)`): integer class of each example, in `[0, num_classes)`.
        num_classes (`int`): K.

    Returns:
        `torch.Tensor` of shape `(dim, dim)`: S_w.
    """
    count, total, outer = _class_statistics(features, labels, num_classes)
    used = (count >= 2).to(torch.float64)
    covariance = (_class_covariances(count, total, outer) * used[:, None, None]).sum(0) / used.sum().clamp_min(1)
    return covariance.to(torch.promote_types(features.dtype, torch.float32))


def wccn_projection(within_class_covariance: torch.Tensor, beta: float) -> torch.Tensor:
    """B of eq. 5, the lower Cholesky factor of S⁻¹ with S the smoothed S_w of eq. 7, so that Bᵀ S B = I.

    Never NaN: if S is not positive definite (only possible for `beta=0` and a rank-deficient S_w), a jitter of
    1e-5 x its mean diagonal (plus 1e-6) is added to the diagonal; if that fails too (non-finite input), B = I.
    Runs without host synchronisation (`cholesky_ex` without error checks, `torch.where` instead of branches).

    Args:
        within_class_covariance (`torch.Tensor` of shape `(dim, dim)`): S_w, symmetric positive semi-definite.
        beta (`float`): the smoothing weight of eq. 7, in `[0, 1]`.

    Returns:
        `torch.Tensor` of shape `(dim, dim)`, lower triangular, in the dtype of the input (at least float32).
    """
    dtype = torch.promote_types(within_class_covariance.dtype, torch.float32)
    covariance = within_class_covariance.to(dtype)
    eye = torch.eye(covariance.shape[-1], dtype=dtype, device=covariance.device)
    # Eq. 7: S = (1 - β) S_w + β I.
    smoothed = (1.0 - beta) * covariance + beta * eye
    smoothed = (smoothed + smoothed.mT) / 2
    # Eq. 5 without forming S⁻¹: with J the exchange matrix and J S J = L Lᵀ, S = U Uᵀ for the upper triangular
    # U = J L J, so S⁻¹ = U⁻ᵀ U⁻¹ and its lower Cholesky factor is B = U⁻ᵀ = J L⁻ᵀ J.
    flipped = smoothed.flip(-1, -2)
    factor, info = torch.linalg.cholesky_ex(flipped)
    jitter = 1e-5 * flipped.diagonal().mean().abs() + 1e-6
    factor_jittered, info_jittered = torch.linalg.cholesky_ex(flipped + jitter * eye)
    factor = torch.where(info == 0, factor, factor_jittered)
    factor_inverse = torch.linalg.solve_triangular(factor, eye, upper=False)
    projection = factor_inverse.mT.flip(-1, -2)
    usable = ((info == 0) | (info_jittered == 0)) & projection.isfinite().all()
    return torch.where(usable, projection, eye)


class DeepWCCN(nn.Module):
    """Deep within-class covariance normalisation (paper §3.2): a layer without trainable parameters, output h·B.

    In training with labels, each step (eq. 4 within each class, then eq. 6):

    1. gathers per-class sufficient statistics (count, sum, sum of outer products) of the detached features and, under
       `torch.distributed`, all-reduces them, so the batch covariance of a class is that of the union of all ranks'
       examples and every rank ends with identical buffers (no-op when no process group is initialised);
    2. folds each class's batch covariance Ŝ_k into a streaming equal-weight average over the steps in which the
       class occurred, S_k <- ((n_k - 1) S_k + Ŝ_k) / n_k. A class with fewer than two examples in the step carries no
       within-class scatter (its covariance would be 0): it is left untouched and n_k does not count that step;
    3. averages S_k over the classes seen so far (S_w), smooths it (eq. 7) and stores B = lower Cholesky of S⁻¹
       (eq. 5) via `wccn_projection`; B stays as it was until some class has been seen.

    In evaluation, or without labels, the stored B is applied and nothing is updated. Statistics, Cholesky and the
    product run in float64/float32 with autocast disabled; the output has the input's dtype.

    Args:
        dim (`int`): size of the features h.
        num_classes (`int`): K, the number of classes.
        beta (`float`): smoothing β of eq. 7, in `[0, 1]`.
    """

    def __init__(self, dim: int, num_classes: int, beta: float):
        super().__init__()
        if dim < 1 or num_classes < 1:
            raise ValueError(f"`dim` and `num_classes` must be positive, got dim={dim}, num_classes={num_classes}.")
        if not 0 <= beta <= 1:
            raise ValueError(f"`beta` (β of eq. 7) must be in [0, 1], got {beta}.")
        self.dim = dim
        self.num_classes = num_classes
        self.beta = beta
        self.register_buffer("class_covariance", torch.zeros(num_classes, dim, dim))
        self.register_buffer("class_batch_count", torch.zeros(num_classes, dtype=torch.long))
        self.register_buffer("projection", torch.eye(dim))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, num_classes={self.num_classes}, beta={self.beta}"

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if self.training and labels is not None:
            self._update(x, labels)
        dtype = torch.promote_types(x.dtype, torch.float32)
        with torch.autocast(x.device.type, enabled=False):
            # Gradients reach x through the constant B only (eq. 5 on detached statistics).
            return (x.to(dtype) @ self.projection.to(dtype)).to(x.dtype)

    @torch.no_grad()
    def _update(self, x: torch.Tensor, labels: torch.Tensor) -> None:
        with torch.autocast(x.device.type, enabled=False):
            # 1. Per-class sufficient statistics of this step, summed over ranks.
            count, total, outer = _class_statistics(x, labels, self.num_classes)
            if torch.distributed.is_available() and torch.distributed.is_initialized():
                packed = torch.cat([count, total.flatten(), outer.flatten()])
                torch.distributed.all_reduce(packed)
                count, total, outer = packed.split([count.numel(), total.numel(), outer.numel()])
                total = total.view(self.num_classes, self.dim)
                outer = outer.view(self.num_classes, self.dim, self.dim)
            # 2. Eq. 4 inside each class, folded into the eq. 6 streaming average (classes with < 2 examples skipped).
            batch_covariance = _class_covariances(count, total, outer)
            present = count >= 2
            batch_count = self.class_batch_count + present
            weight = (present.to(torch.float64) / batch_count.clamp_min(1))[:, None, None]
            covariance = self.class_covariance.to(torch.float64)
            covariance = covariance + weight * (batch_covariance - covariance)
            # 3. S_w = mean over the classes seen so far; eq. 7 and eq. 5 in `wccn_projection`.
            seen = (batch_count > 0).to(torch.float64)
            within = (covariance * seen[:, None, None]).sum(0) / seen.sum().clamp_min(1)
            projection = torch.where(seen.any(), wccn_projection(within, self.beta), self.projection.to(torch.float64))
        self.class_covariance.copy_(covariance)
        self.class_batch_count.copy_(batch_count)
        self.projection.copy_(projection)


def feature_lengths(config: Wav2Vec2WCCNConfig, sample_lengths: torch.Tensor | int) -> torch.Tensor | int:
    """Frames the CNN feature encoder makes of `sample_lengths` samples (as `_get_feat_extract_output_lengths`).

    A Python int stays an int (no tensor round trip, which `torch.compile` would see as a graph break).
    """
    for kernel, stride in zip(config.conv_kernel, config.conv_stride):
        sample_lengths = (sample_lengths - kernel) // stride + 1
    return sample_lengths


def sample_mask_indices(
    frame_lengths: torch.Tensor,
    num_frames: int,
    mask_prob: float,
    mask_length: int,
    min_masks: int = 0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """HF's `_compute_mask_indices` in torch, on the device of `frame_lengths`, with shapes fixed by `num_frames`.

    Same distribution: per utterance of L valid frames, ⌊mask_prob·L/mask_length + ε⌋ spans (ε ~ U(0, 1) shared by
    the batch; at least `min_masks`, at most what fits) whose starts are drawn without replacement among the L -
    mask_length + 1 possible ones. Without replacement = the spans with the largest of i.i.d. uniform keys (`topk` of
    a fixed k), so nothing waits for the host: no `.tolist()`, no data-dependent shapes, capturable by `torch.compile`.

    Returns:
        `torch.BoolTensor` of shape `(batch_size, num_frames)`.
    """
    device = frame_lengths.device
    frame_lengths = frame_lengths.long()
    num_starts = max(num_frames - mask_length + 1, 0)
    # The most spans any utterance can get (ε < 1), a Python int so that the shapes do not depend on the data.
    max_spans = max(int(mask_prob * num_frames / mask_length) + 1, min_masks)
    max_spans = min(max_spans, num_frames // mask_length, num_starts)
    if max_spans == 0:
        return torch.zeros(len(frame_lengths), num_frames, dtype=torch.bool, device=device)
    epsilon = torch.rand((), device=device, generator=generator)
    num_spans = (mask_prob * frame_lengths / mask_length + epsilon).floor().long().clamp_min(min_masks)
    num_spans = num_spans.clamp_max(num_frames // mask_length)
    num_spans = torch.minimum(num_spans, (frame_lengths - mask_length + 1).clamp_min(0))
    keys = torch.rand(len(frame_lengths), num_starts, device=device, generator=generator)
    valid_start = torch.arange(num_starts, device=device) < (frame_lengths - mask_length + 1)[:, None]
    starts = keys.masked_fill(~valid_start, -1.0).topk(max_spans, dim=-1).indices
    keep = torch.arange(max_spans, device=device) < num_spans[:, None]
    positions = (starts[..., None] + torch.arange(mask_length, device=device)).flatten(1)
    hits = keep[..., None].expand(-1, -1, mask_length).flatten(1).long()
    counts = torch.zeros(len(frame_lengths), num_frames, dtype=torch.long, device=device)
    return counts.scatter_add_(1, positions, hits) > 0


def sample_negative_indices(
    frame_lengths: torch.Tensor, num_frames: int, num_negatives: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """HF's `_sample_negative_indices` in torch (device side, fixed shapes): for each valid frame t of utterance b,
    `num_negatives` frames drawn uniformly among b's other valid frames, as indices into the flattened
    `(batch_size * num_frames)` frames; padded frames get utterance b's frame 0, as in HF.

    Returns:
        `torch.LongTensor` of shape `(batch_size, num_frames, num_negatives)`.
    """
    device = frame_lengths.device
    batch_size = len(frame_lengths)
    high = (frame_lengths.long() - 1).clamp_min(1)[:, None, None]
    uniform = torch.rand(batch_size, num_frames, num_negatives, device=device, generator=generator)
    draws = torch.minimum((uniform * high).long(), high - 1)
    frame = torch.arange(num_frames, device=device)[None, :, None]
    # Uniform over the other frames: skip over the positive itself, as HF does.
    draws = draws + (draws >= frame).long()
    draws = draws.masked_fill(frame >= frame_lengths[:, None, None], 0)
    return draws + torch.arange(batch_size, device=device)[:, None, None] * num_frames


def _row_fingerprints(rows: torch.Tensor) -> torch.Tensor:
    """One int64 per row of a `(rows, dim)` float tensor, equal for rows that compare equal element by element and,
    but for a ~2⁻⁶⁴ chance, only for them: the row's float32 bit patterns (+0.0 turns -0.0 into 0.0, as `==` sees
    them) weighted by pseudo-random multipliers and summed modulo 2⁶⁴, which is exact in any order. The multipliers
    are a SplitMix64-style mix of the column index, made on the device (no host copy)."""
    bits = (rows.detach().float() + 0.0).view(torch.int32).long()
    mix = torch.arange(rows.shape[-1], device=rows.device, dtype=torch.long) * -7046029254386353131 + 1
    mix = (mix ^ (mix >> 30)) * -4658895280553007687
    mix = (mix ^ (mix >> 27)) * -7723592293110705685
    return (bits * (mix ^ (mix >> 31))).sum(-1)


def contrastive_logits(
    predicted_features: torch.Tensor,
    target_features: torch.Tensor,
    sampled_negative_indices: torch.Tensor,
    temperature: float,
) -> torch.Tensor:
    """wav2vec 2.0 eq. 3 logits sim(c_t, q) / κ of each frame's target q_t and its distractors, HF's numbers
    (`Wav2Vec2ForPreTraining.compute_contrastive_logits`, with a distractor equal to its target at -inf) without
    gathering the distractors' vectors.

    HF stacks `num_negatives` + 1 gathered copies of the targets, a `(K + 1, batch, frames, dim)` tensor (~120 MiB
    fp32 for four 2 s clips with XLSR-53's K = 100, kept with several like it for backward), and takes the cosine
    similarity over it. Here the unit-norm predictions and targets (divided by max(norm, 1e-8), as
    `torch.cosine_similarity` does) meet in one `(N, N)` matrix of dot products, N = batch·frames, from which the
    distractors' logits are gathered; a distractor equal to its target is found from row fingerprints. Float32, as
    HF's cosine similarity, whatever the autocast.

    Args:
        predicted_features (`torch.Tensor` of shape `(batch_size, frames, dim)`): c_t, the projected context vectors.
        target_features (`torch.Tensor` of shape `(batch_size, frames, dim)`): q_t, the projected quantized targets.
        sampled_negative_indices (`torch.LongTensor` of shape `(batch_size, frames, num_negatives)`): distractors,
            indices into the flattened `(batch_size * frames)` targets.
        temperature (`float`): κ.

    Returns:
        `torch.Tensor` of shape `(batch_size, frames, 1 + num_negatives)` and `target_features`' dtype: the target's
        logit first.
    """
    batch_size, num_frames, dim = target_features.shape
    index = sampled_negative_indices.long().reshape(batch_size * num_frames, -1)
    with torch.autocast(target_features.device.type, enabled=False):
        predicted = predicted_features.float().reshape(-1, dim)
        targets = target_features.float().reshape(-1, dim)
        predicted = predicted / torch.linalg.vector_norm(predicted, dim=-1, keepdim=True).clamp_min(1e-8)
        targets = targets / torch.linalg.vector_norm(targets, dim=-1, keepdim=True).clamp_min(1e-8)
        positive = (predicted * targets).sum(-1, keepdim=True)
        negative = (predicted @ targets.T).gather(1, index)
    logits = torch.cat([positive, negative], dim=1).to(target_features.dtype) / temperature
    fingerprints = _row_fingerprints(target_features.reshape(-1, dim))
    neg_is_pos = fingerprints[index] == fingerprints[:, None]
    logits = torch.cat([logits[:, :1], logits[:, 1:].masked_fill(neg_is_pos, float("-inf"))], dim=1)
    return logits.view(batch_size, num_frames, -1)


def frame_lengths(config: Wav2Vec2WCCNConfig, attention_mask: torch.Tensor) -> tuple[torch.Tensor, int]:
    """Valid frames of each utterance of a right-padded batch, and the batch's number of frames."""
    num_frames = feature_lengths(config, attention_mask.shape[-1])
    return feature_lengths(config, attention_mask.sum(-1)).clamp(0, num_frames), num_frames


def sample_contrastive_indices(
    config: Wav2Vec2WCCNConfig, attention_mask: torch.Tensor, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """`mask_time_indices` and `sampled_negative_indices` for a batch with this (samples) `attention_mask`.

    The config's `mask_time_prob`, `mask_time_length` and `mask_time_min_masks` (at least 1, so the contrastive loss is
    never empty) and `num_negatives`, restricted to each utterance's valid frames. Runs on the attention mask's device:
    a data collator can call it on the CPU in the loader workers, off the training step's critical path (see
    `WaveformCollator(contrastive_config=...)`); the model calls it on the accelerator when the batch lacks them.
    """
    lengths, num_frames = frame_lengths(config, attention_mask)
    min_masks = max(config.mask_time_min_masks, 1)
    mask_time_indices = sample_mask_indices(
        lengths, num_frames, config.mask_time_prob, config.mask_time_length, min_masks, generator
    )
    return mask_time_indices, sample_negative_indices(lengths, num_frames, config.num_negatives, generator)


class Wav2Vec2MemoryLightQuantizer(Wav2Vec2GumbelVectorQuantizer):
    """HF's Gumbel vector quantizer, the same numbers, without its largest tensor.

    HF selects codevectors as `(probs[..., None] * codevectors).sum(-2)`, materialising a (batch·frames,
    groups·entries, codevector_dim/groups) product (≈97 MB fp32 per 2 s utterance for XLSR-53), and its gradient of
    the same size in backward, at the end of the forward pass, when the activations are at their peak. The selection
    is a matrix product per group, so one batched matmul over groups does it with only the (batch·frames, groups,
    entries) probabilities stored. Parameters keep HF's names (`codevectors`, `weight_proj`),
    so pre-training checkpoints load unchanged.
    """

    def forward(
        self, hidden_states: torch.Tensor, mask_time_indices: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        batch_size, sequence_length, _ = hidden_states.shape
        logits = self.weight_proj(hidden_states).view(batch_size * sequence_length * self.num_groups, -1)
        if self.training:
            # Hard one-hot forward, soft gradient (straight-through); perplexity of the soft distribution.
            probs = nn.functional.gumbel_softmax(logits.float(), tau=self.temperature, hard=True).type_as(logits)
            soft = torch.softmax(logits.view(batch_size * sequence_length, self.num_groups, -1).float(), dim=-1)
            perplexity = self._compute_perplexity(soft, mask_time_indices)
        else:
            probs = logits.new_zeros(logits.shape).scatter_(-1, logits.argmax(dim=-1).view(-1, 1), 1.0)
            perplexity = self._compute_perplexity(probs.view(-1, self.num_groups, self.num_vars), mask_time_indices)
        codebook = self.codevectors.view(self.num_groups, self.num_vars, -1)
        dtype = torch.promote_types(probs.dtype, codebook.dtype)  # HF's product promotes as well
        with torch.autocast(hidden_states.device.type, enabled=False):
            probs = probs.view(-1, self.num_groups, self.num_vars).to(dtype)
            codevectors = torch.einsum("ngv,gvd->ngd", probs, codebook.to(dtype))
        return codevectors.reshape(batch_size, sequence_length, -1), perplexity


class Wav2Vec2SyncFreeFeatureEncoder(Wav2Vec2FeatureEncoder):
    """HF's CNN feature encoder without its unconditional `hidden_states.requires_grad = True` in training, which
    `torch.compile` cannot trace (a graph break at the top of every step) and which makes backward compute an unused
    gradient for the waveform. The flag is there for reentrant gradient checkpointing, so it is kept when that is on.
    Same parameters and numbers."""

    def forward(self, input_values: torch.Tensor) -> torch.Tensor:
        hidden_states = input_values[:, None]
        if self._requires_grad and self.training and self.gradient_checkpointing:
            hidden_states.requires_grad = True
        for conv_layer in self.conv_layers:
            hidden_states = conv_layer(hidden_states)
        return hidden_states


class _LayerDropEncoderMixin:
    """The forward of HF's `Wav2Vec2Encoder` / `Wav2Vec2EncoderStableLayerNorm` (same modules and numbers), with
    LayerDrop that keeps the hidden states whole and `torch.compile` in one graph.

    HF's encoder skips a layer on a host-drawn number: no device sync, but a graph break per layer; and as
    transformers 5 records hidden states with hooks on the layers, a skipped layer is missing from `hidden_states`,
    so the `weighted` pooling (one weight per layer) would fail. Here a layer is dropped inside the graph
    (`torch.where` on a device-drawn keep flag, the layer computed anyway) when compiling, when every layer's output
    is read (`weighted` pooling), and under FSDP / ZeRO-3 (where HF runs every layer and so drops none); otherwise
    HF's skip is kept, as it saves the dropped layer's compute.
    """

    def forward(
        self, hidden_states: torch.Tensor, attention_mask: torch.Tensor | None = None, **kwargs
    ) -> BaseModelOutput:
        if attention_mask is not None:  # padded frames output 0
            hidden_states = hidden_states.masked_fill(~attention_mask.bool()[..., None], 0.0)
        attention_mask = create_bidirectional_mask(
            config=self.config, inputs_embeds=hidden_states, attention_mask=attention_mask
        )
        hidden_states = hidden_states + self.pos_conv_embed(hidden_states)
        stable_layer_norm = isinstance(self, Wav2Vec2EncoderStableLayerNorm)
        if not stable_layer_norm:
            hidden_states = self.layer_norm(hidden_states)
        hidden_states = self.dropout(hidden_states)

        layerdrop = self.config.layerdrop if self.training else 0.0
        in_graph = layerdrop > 0.0 and (
            torch.compiler.is_compiling()
            or getattr(self.config, "pooling_source", None) == "weighted"
            or is_deepspeed_zero3_enabled()
            or is_fsdp_managed_module(self)
        )
        for layer in self.layers:
            if layerdrop == 0.0:
                hidden_states = layer(hidden_states, attention_mask=attention_mask, **kwargs)
            elif in_graph:
                keep = torch.rand((), device=hidden_states.device) >= layerdrop
                output = layer(hidden_states, attention_mask=attention_mask, **kwargs)
                hidden_states = torch.where(keep, output, hidden_states)
            elif torch.rand([]) >= layerdrop:  # HF's draw, on the host
                hidden_states = layer(hidden_states, attention_mask=attention_mask, **kwargs)

        if stable_layer_norm:
            hidden_states = self.layer_norm(hidden_states)
        return BaseModelOutput(last_hidden_state=hidden_states)


class Wav2Vec2SyncFreeEncoder(_LayerDropEncoderMixin, Wav2Vec2Encoder):
    """`Wav2Vec2Encoder` with the LayerDrop of `_LayerDropEncoderMixin`."""


class Wav2Vec2SyncFreeEncoderStableLayerNorm(_LayerDropEncoderMixin, Wav2Vec2EncoderStableLayerNorm):
    """`Wav2Vec2EncoderStableLayerNorm` (XLSR-53's) with the LayerDrop of `_LayerDropEncoderMixin`."""


class Wav2Vec2SyncFreeModel(Wav2Vec2Model):
    """`Wav2Vec2Model` that `torch.compile` captures whole in training: its time masking with given
    `mask_time_indices` is a `torch.where` (HF's `hidden_states[mask] = embedding` is a boolean index_put, which waits
    for the device (nonzero) and breaks the graph), its feature encoder is `Wav2Vec2SyncFreeFeatureEncoder`, and its
    encoder drops layers as `_LayerDropEncoderMixin` says. Same parameters and numbers."""

    def __init__(self, config: Wav2Vec2WCCNConfig):
        super().__init__(config)
        self.feature_extractor = Wav2Vec2SyncFreeFeatureEncoder(config)
        if config.do_stable_layer_norm:
            self.encoder = Wav2Vec2SyncFreeEncoderStableLayerNorm(config)
        else:
            self.encoder = Wav2Vec2SyncFreeEncoder(config)

    def _mask_hidden_states(
        self,
        hidden_states: torch.Tensor,
        mask_time_indices: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        if mask_time_indices is None or not self.config.apply_spec_augment:
            return super()._mask_hidden_states(hidden_states, mask_time_indices, attention_mask)
        embedding = self.masked_spec_embed.to(hidden_states.dtype)
        hidden_states = torch.where(mask_time_indices[..., None], embedding, hidden_states)
        if self.config.mask_feature_prob > 0 and self.training:
            # As the parent: a host-side draw that reads no device data, so no sync (only a copy to the device).
            batch_size, _, hidden_size = hidden_states.shape
            mask_feature_indices = _compute_mask_indices(
                (batch_size, hidden_size),
                mask_prob=self.config.mask_feature_prob,
                mask_length=self.config.mask_feature_length,
                min_masks=self.config.mask_feature_min_masks,
            )
            mask_feature_indices = torch.tensor(mask_feature_indices, device=hidden_states.device, dtype=torch.bool)
            hidden_states = hidden_states.masked_fill(mask_feature_indices[:, None], 0)
        return hidden_states


class Wav2Vec2StatisticsPooling(nn.Module):
    """Eq. 8: padding-aware mean ⊕ standard deviation over time of the frames named by `config.pooling_source`.

    `latent` pools `extract_features`, the layer-normalised output of the CNN feature encoder (Z in the paper and in
    wav2vec 2.0, the tensor the quantizer reads; before the feature projection to `hidden_size`). The standard
    deviation is the population one over the valid frames (never NaN, even for one frame), computed in float32.
    """

    def __init__(self, config: Wav2Vec2WCCNConfig):
        super().__init__()
        self.source = config.pooling_source
        self.output_size = 2 * (config.conv_dim[-1] if self.source == "latent" else config.hidden_size)
        if self.source == "weighted":
            num_layers = config.num_hidden_layers + 1  # transformer layers + their input
            self.layer_weights = nn.Parameter(torch.ones(num_layers) / num_layers)

    def forward(self, outputs: Wav2Vec2BaseModelOutput, frame_mask: torch.Tensor | None) -> torch.Tensor:
        if self.source == "latent":
            frames = outputs.extract_features
        elif self.source == "context":
            frames = outputs.last_hidden_state
        else:
            weights = nn.functional.softmax(self.layer_weights, dim=-1)
            frames = (torch.stack(outputs.hidden_states, dim=1) * weights.view(-1, 1, 1)).sum(dim=1)
        dtype = frames.dtype
        frames = frames.float()
        if frame_mask is None:
            frame_mask = torch.ones(frames.shape[:2], dtype=torch.bool, device=frames.device)
        weights = frame_mask[..., None].to(frames.dtype)
        num_frames = weights.sum(1)
        mean = (frames * weights).sum(1) / num_frames
        variance = ((frames - mean[:, None]).square() * weights).sum(1) / num_frames
        # The floor keeps sqrt's gradient finite for constant dimensions.
        return torch.cat([mean, variance.clamp_min(1e-8).sqrt()], dim=-1).to(dtype)


@dataclass
class Wav2Vec2WCCNClassifierOutput(ModelOutput):
    r"""
    Output of [`Wav2Vec2ForWCCNClassification`].

    loss (`torch.FloatTensor` of shape `()`, *optional*):
        Eq. 9: `classification_loss + aux_loss_weight * (contrastive_loss + diversity_loss_weight * diversity_loss)`,
        the terms that were computed (cross-entropy when `labels` are given; the auxiliary loss when it is active).
    logits (`torch.FloatTensor` of shape `(batch_size, num_labels)`):
        Classification scores before softmax.
    classification_loss (`torch.FloatTensor` of shape `()`, *optional*):
        Mean cross-entropy over the batch, when `labels` are given.
    contrastive_loss (`torch.FloatTensor` of shape `()`, *optional*):
        wav2vec 2.0 contrastive loss summed over masked frames, as `Wav2Vec2ForPreTraining` computes it.
    diversity_loss (`torch.FloatTensor` of shape `()`, *optional*):
        wav2vec 2.0 diversity loss times the number of masked frames, as `Wav2Vec2ForPreTraining` computes it.
    embeddings (`torch.FloatTensor` of shape `(batch_size, head_hidden_size)`):
        Head features h entering Deep-WCCN (after FC, ReLU and dropout).
    wccn_embeddings (`torch.FloatTensor` of shape `(batch_size, head_hidden_size)`):
        Features leaving Deep-WCCN, h·B (equal to `embeddings` when `use_wccn=False`).
    hidden_states (`tuple(torch.FloatTensor)`, *optional*, returned when `output_hidden_states=True`):
        The transformer's input and each layer's output, each of shape `(batch_size, frames, hidden_size)`.
    attentions (`tuple(torch.FloatTensor)`, *optional*, returned when `output_attentions=True`):
        Attention weights of each layer (needs `attn_implementation="eager"`).
    """

    loss: torch.FloatTensor | None = None
    logits: torch.FloatTensor | None = None
    classification_loss: torch.FloatTensor | None = None
    contrastive_loss: torch.FloatTensor | None = None
    diversity_loss: torch.FloatTensor | None = None
    embeddings: torch.FloatTensor | None = None
    wccn_embeddings: torch.FloatTensor | None = None
    hidden_states: tuple[torch.FloatTensor, ...] | None = None
    attentions: tuple[torch.FloatTensor, ...] | None = None


class Wav2Vec2ForWCCNClassification(Wav2Vec2PreTrainedModel):
    """Wav2Vec2 with the paper's emotion classifier (§3): statistics pooling (eq. 8), FC → ReLU → dropout → Deep-WCCN
    (eq. 4-7) → LayerNorm → linear, trained with cross-entropy plus α times the wav2vec 2.0 loss (eq. 9).

    `wav2vec2`, `quantizer`, `project_hid`, `project_q` and `dropout_features` are named as in
    `Wav2Vec2ForPreTraining`, so `from_pretrained` on a pre-training checkpoint (e.g. XLSR-53) fills the backbone and
    the quantizer and only the head is new. With `aux_loss_weight=0` those pre-training modules are kept (so
    checkpoints stay interchangeable) but frozen and never run, so DDP does not wait for their gradients.

    The auxiliary loss is computed when `aux_loss_weight > 0` and the model is training or `mask_time_indices` is
    given; one masked backbone pass serves both losses (a multi-task model), so with `pooling_source` `context` or
    `weighted` the classifier sees the masked frames in training, as HF's SpecAugment would show it; `latent` pooling
    reads the CNN output, which masking does not touch.
    """

    config_class = Wav2Vec2WCCNConfig
    config: Wav2Vec2WCCNConfig

    def __init__(self, config: Wav2Vec2WCCNConfig):
        super().__init__(config)
        self.wav2vec2 = Wav2Vec2SyncFreeModel(config)
        self.dropout_features = nn.Dropout(config.feat_quantizer_dropout)
        self.quantizer = Wav2Vec2MemoryLightQuantizer(config)
        self.project_hid = nn.Linear(config.hidden_size, config.proj_codevector_dim)
        self.project_q = nn.Linear(config.codevector_dim, config.proj_codevector_dim)
        if config.aux_loss_weight == 0:
            for module in (self.quantizer, self.project_hid, self.project_q):
                module.requires_grad_(False)

        self.pooling = Wav2Vec2StatisticsPooling(config)
        self.head_projection = nn.Linear(self.pooling.output_size, config.head_hidden_size)
        self.head_dropout = nn.Dropout(config.head_dropout)
        self.wccn = DeepWCCN(config.head_hidden_size, config.num_labels, config.wccn_beta) if config.use_wccn else None
        self.head_layer_norm = nn.LayerNorm(config.head_hidden_size, eps=config.layer_norm_eps)
        self.classifier = nn.Linear(config.head_hidden_size, config.num_labels)

        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        super()._init_weights(module)
        # Identity B and empty statistics before any update; also fills buffers a checkpoint lacks.
        if isinstance(module, DeepWCCN):
            init.zeros_(module.class_covariance)
            init.zeros_(module.class_batch_count)
            init.eye_(module.projection)
        elif isinstance(module, Wav2Vec2StatisticsPooling) and module.source == "weighted":
            init.constant_(module.layer_weights, 1.0 / module.layer_weights.numel())

    def set_gumbel_temperature(self, temperature: float) -> None:
        """Set the quantizer's Gumbel-softmax temperature (as `Wav2Vec2ForPreTraining.set_gumbel_temperature`)."""
        self.quantizer.temperature = temperature

    def freeze_feature_encoder(self) -> None:
        """Disable gradients of the CNN feature encoder, so its parameters are not updated during training."""
        self.wav2vec2.feature_extractor._freeze_parameters()

    def forward(
        self,
        input_values: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        mask_time_indices: torch.Tensor | None = None,
        sampled_negative_indices: torch.Tensor | None = None,
        output_hidden_states: bool | None = None,
        output_attentions: bool | None = None,
    ) -> Wav2Vec2WCCNClassifierOutput:
        r"""
        input_values (`torch.FloatTensor` of shape `(batch_size, num_samples)`):
            Normalised raw waveforms (see `Wav2Vec2FeatureExtractor`), zero-padded on the right.
        attention_mask (`torch.LongTensor` of shape `(batch_size, num_samples)`, *optional*):
            1 for real samples, 0 for padding; pooling and the auxiliary task ignore padded frames.
        labels (`torch.LongTensor` of shape `(batch_size,)`, *optional*):
            Class indices in `[0, num_labels)`: cross-entropy, and Deep-WCCN's statistics update in training.
        mask_time_indices (`torch.BoolTensor` of shape `(batch_size, frames)`, *optional*):
            Frames to mask (SpecAugment, and the frames the contrastive task predicts, as in
            `Wav2Vec2ForPreTraining`). Drawn by the model in training when not given (see `sample_contrastive_indices`
            to draw them in the data loader instead).
        sampled_negative_indices (`torch.LongTensor` of shape `(batch_size, frames, num_negatives)`, *optional*):
            Distractor indices into the flattened `(batch_size * frames)` quantized frames. Drawn by the model when
            the auxiliary loss is active and this is not given.
        """
        # Masks are drawn on the device (fixed shapes, no host sync) rather than by HF's numpy SpecAugment.
        use_aux_loss = self.config.aux_loss_weight > 0 and (self.training or mask_time_indices is not None)
        if use_aux_loss and (mask_time_indices is None or sampled_negative_indices is None):
            mask_time_indices, sampled_negative_indices = self._sample_contrastive_indices(
                input_values, attention_mask, mask_time_indices, sampled_negative_indices
            )

        if output_hidden_states is None:
            output_hidden_states = self.config.output_hidden_states
        # Eq. 8 pools Z, the CNN encoder's output: without the auxiliary task nothing reads the transformer's output,
        # so it is not run (most of the compute of a large backbone, in training and inference).
        encoder_only = self.config.pooling_source == "latent" and not (
            use_aux_loss or output_hidden_states or output_attentions
        )
        if self.training and mask_time_indices is None and self.config.apply_spec_augment and not encoder_only:
            mask_time_indices = self._sample_spec_augment_mask(input_values, attention_mask)
        if mask_time_indices is not None:
            mask_time_indices = mask_time_indices.to(torch.bool)

        if encoder_only:
            latent = self.wav2vec2.feature_extractor(input_values).transpose(1, 2)
            outputs = Wav2Vec2BaseModelOutput(extract_features=self.wav2vec2.feature_projection.layer_norm(latent))
        else:
            outputs = self.wav2vec2(
                input_values,
                attention_mask=attention_mask,
                mask_time_indices=mask_time_indices,
                output_hidden_states=output_hidden_states or self.config.pooling_source == "weighted",
                output_attentions=output_attentions,
            )
        frame_mask = None
        if attention_mask is not None:
            frame_mask = self._get_feature_vector_attention_mask(outputs.extract_features.shape[1], attention_mask)

        # Eq. 8, then FC → ReLU → dropout → Deep-WCCN → LayerNorm → linear.
        pooled = self.pooling(outputs, frame_mask)
        embeddings = self.head_dropout(nn.functional.relu(self.head_projection(pooled)))
        wccn_embeddings = embeddings if self.wccn is None else self.wccn(embeddings, labels)
        logits = self.classifier(self.head_layer_norm(wccn_embeddings))

        loss = classification_loss = contrastive_loss = diversity_loss = None
        if labels is not None:
            classification_loss = nn.functional.cross_entropy(logits.float(), labels.view(-1))
            loss = classification_loss
        if use_aux_loss:
            contrastive_loss, diversity_loss = self._wav2vec2_losses(
                outputs, mask_time_indices, sampled_negative_indices
            )
            # Eq. 9: L = CE + α (L_m + diversity_loss_weight L_d), L_w2v2 on HF's Wav2Vec2ForPreTraining scale.
            aux_loss = self.config.aux_loss_weight * (
                contrastive_loss + self.config.diversity_loss_weight * diversity_loss
            )
            loss = aux_loss if loss is None else loss + aux_loss

        return Wav2Vec2WCCNClassifierOutput(
            loss=loss,
            logits=logits,
            classification_loss=classification_loss,
            contrastive_loss=contrastive_loss,
            diversity_loss=diversity_loss,
            embeddings=embeddings,
            wccn_embeddings=wccn_embeddings,
            hidden_states=outputs.hidden_states if output_hidden_states else None,
            attentions=outputs.attentions,
        )

    def _sample_contrastive_indices(
        self,
        input_values: torch.Tensor,
        attention_mask: torch.Tensor | None,
        mask_time_indices: torch.Tensor | None,
        sampled_negative_indices: torch.Tensor | None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw what is missing of masks and negatives with `sample_contrastive_indices`, on the inputs' device."""
        if attention_mask is None:
            attention_mask = torch.ones_like(input_values, dtype=torch.long)
        mask_drawn, negatives_drawn = sample_contrastive_indices(self.config, attention_mask)
        return (
            mask_drawn if mask_time_indices is None else mask_time_indices,
            negatives_drawn if sampled_negative_indices is None else sampled_negative_indices,
        )

    def _sample_spec_augment_mask(
        self, input_values: torch.Tensor, attention_mask: torch.Tensor | None
    ) -> torch.Tensor | None:
        """HF's SpecAugment time mask (`mask_time_prob`, `mask_time_min_masks`), drawn on the device."""
        if self.config.mask_time_prob <= 0:
            return None
        if attention_mask is None:
            attention_mask = torch.ones_like(input_values, dtype=torch.long)
        lengths, num_frames = frame_lengths(self.config, attention_mask)
        config = self.config
        return sample_mask_indices(
            lengths, num_frames, config.mask_time_prob, config.mask_time_length, config.mask_time_min_masks
        )

    def _wav2vec2_losses(
        self,
        outputs: Wav2Vec2BaseModelOutput,
        mask_time_indices: torch.Tensor,
        sampled_negative_indices: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Contrastive and diversity losses, the same numbers as `Wav2Vec2ForPreTraining.forward` for these inputs."""
        # 1. Project all transformer outputs (masked frames included) to the codevector space: predictions c_t.
        transformer_features = self.project_hid(outputs.last_hidden_state)
        # 2. Quantize the (unmasked) CNN features and project them: targets q_t.
        extract_features = self.dropout_features(outputs.extract_features)
        quantized_features, perplexity = self.quantizer(extract_features, mask_time_indices=mask_time_indices)
        quantized_features = self.project_q(quantized_features.to(self.project_q.weight.dtype))
        # 3.-5. Cosine-similarity logits sim(c_t, [q_t, q̃_t]) / κ (wav2vec 2.0 eq. 3), a distractor equal to its
        # target at -inf (with masked_fill, not HF's `if any()`, which would wait for the device).
        logits = contrastive_logits(
            transformer_features,
            quantized_features,
            sampled_negative_indices,
            self.config.contrastive_logits_temperature,
        )
        # 6. Contrastive loss L_m: cross-entropy towards the target (index 0), summed over masked frames only.
        target = torch.where(mask_time_indices, 0, -100).flatten()
        contrastive_loss = nn.functional.cross_entropy(logits.flatten(0, 1).float(), target, reduction="sum")
        # 7. Diversity loss L_d: (G·V - perplexity) / (G·V), times the number of masked frames.
        num_codevectors = self.config.num_codevectors_per_group * self.config.num_codevector_groups
        diversity_loss = ((num_codevectors - perplexity) / num_codevectors) * mask_time_indices.sum()
        return contrastive_loss, diversity_loss


__all__ = [
    "DeepWCCN",
    "Wav2Vec2MemoryLightQuantizer",
    "Wav2Vec2SyncFreeEncoder",
    "Wav2Vec2SyncFreeEncoderStableLayerNorm",
    "Wav2Vec2SyncFreeFeatureEncoder",
    "Wav2Vec2SyncFreeModel",
    "Wav2Vec2ForWCCNClassification",
    "Wav2Vec2StatisticsPooling",
    "Wav2Vec2WCCNClassifierOutput",
    "contrastive_logits",
    "sample_contrastive_indices",
    "sample_mask_indices",
    "sample_negative_indices",
    "within_class_covariance",
    "wccn_projection",
]
