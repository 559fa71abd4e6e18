"""Deep-WCCN (paper §3.2, eq. 4-7) against an independent float64 numpy reference."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from hf_xser.models.modeling_wav2vec2_wccn import DeepWCCN, wccn_projection, within_class_covariance

DIM, NUM_CLASSES = 6, 4


def numpy_class_covariance(features: np.ndarray) -> np.ndarray:
    """Eq. 4 inside one class: (1/N_k) Σ (h - μ_k)(h - μ_k)ᵀ."""
    centred = features - features.mean(0)
    return centred.T @ centred / len(features)


def numpy_projection(covariance: np.ndarray, beta: float) -> np.ndarray:
    """Eq. 7 then eq. 5: lower Cholesky factor of ((1 - β) S_w + β I)⁻¹."""
    smoothed = (1 - beta) * covariance + beta * np.eye(len(covariance))
    return np.linalg.cholesky(np.linalg.inv(smoothed))


def numpy_streaming(batches: list[tuple[np.ndarray, np.ndarray]], beta: float) -> tuple[np.ndarray, ...]:
    """Eq. 6 per class over the batches where the class has >= 2 examples; S_w over seen classes; B."""
    covariance = np.zeros((NUM_CLASSES, DIM, DIM))
    count = np.zeros(NUM_CLASSES, dtype=int)
    for features, labels in batches:
        for k in range(NUM_CLASSES):
            if (labels == k).sum() >= 2:
                count[k] += 1
                batch_covariance = numpy_class_covariance(features[labels == k])
                covariance[k] = ((count[k] - 1) * covariance[k] + batch_covariance) / count[k]
    within = covariance[count > 0].mean(0)
    return covariance, count, within, numpy_projection(within, beta)


def make_batches(seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Batches of 8 with a class-dependent offset and scale; some classes absent or with one example."""
    rng = np.random.default_rng(seed)
    label_sets = [
        [0, 0, 1, 1, 2, 2, 3, 3],
        [0, 0, 0, 1, 1, 1, 1, 2],  # class 2 once, class 3 absent
        [3, 3, 3, 3, 2, 2, 0, 1],  # classes 0 and 1 once
        [1, 1, 1, 1, 1, 1, 1, 1],  # one class
        [2, 3, 0, 0, 2, 3, 2, 3],
    ]
    batches = []
    for labels in label_sets:
        labels = np.array(labels)
        features = rng.normal(size=(len(labels), DIM)) * (1 + labels[:, None]) + 3 * labels[:, None]
        batches.append((features, labels))
    return batches


def run_wccn(wccn: DeepWCCN, batches: list[tuple[np.ndarray, np.ndarray]]) -> None:
    wccn.train()
    for features, labels in batches:
        wccn(torch.tensor(features, dtype=torch.float32), torch.tensor(labels))


def test_within_class_covariance_is_eq4():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, DIM)) + rng.integers(0, 3, size=(40, 1))
    labels = np.array([0] * 15 + [1] * 14 + [2] * 10 + [3])  # class 3 has one example: left out of the average
    expected = np.mean([numpy_class_covariance(features[labels == k]) for k in range(3)], axis=0)
    result = within_class_covariance(torch.tensor(features), torch.tensor(labels), NUM_CLASSES)
    assert result.dtype == torch.float64
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-10, atol=1e-12)
    as_float = within_class_covariance(torch.tensor(features, dtype=torch.float32), torch.tensor(labels), NUM_CLASSES)
    assert as_float.dtype == torch.float32


@pytest.mark.parametrize("beta", [0.0, 0.2, 1.0])
def test_projection_whitens_the_smoothed_covariance(beta):
    rng = np.random.default_rng(1)
    a = rng.normal(size=(DIM, 2 * DIM))
    covariance = a @ a.T / (2 * DIM)
    projection = wccn_projection(torch.tensor(covariance), beta).numpy()
    smoothed = (1 - beta) * covariance + beta * np.eye(DIM)
    np.testing.assert_allclose(projection.T @ smoothed @ projection, np.eye(DIM), atol=1e-8)
    np.testing.assert_array_equal(projection, np.tril(projection))
    np.testing.assert_allclose(projection, numpy_projection(covariance, beta), rtol=1e-8, atol=1e-10)


def test_projection_is_never_nan():
    rank_one = torch.ones(DIM, 1) @ torch.ones(1, DIM)
    for covariance in (rank_one, torch.zeros(DIM, DIM)):  # not positive definite with β = 0: jitter fallback
        projection = wccn_projection(covariance, 0.0)
        assert projection.isfinite().all()
        assert torch.equal(projection, projection.tril())
    nan_input = torch.full((DIM, DIM), float("nan"))
    assert torch.equal(wccn_projection(nan_input, 0.2), torch.eye(DIM))


@pytest.mark.parametrize("beta", [0.0, 0.3])
def test_streaming_average_matches_numpy(beta):
    batches = make_batches()
    wccn = DeepWCCN(DIM, NUM_CLASSES, beta)
    run_wccn(wccn, batches)
    covariance, count, within, projection = numpy_streaming(batches, beta)
    np.testing.assert_array_equal(wccn.class_batch_count.numpy(), count)
    np.testing.assert_allclose(wccn.class_covariance.numpy(), covariance, rtol=1e-5, atol=1e-5)
    seen = wccn.class_batch_count > 0
    np.testing.assert_allclose(wccn.class_covariance[seen].mean(0).numpy(), within, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(wccn.projection.numpy(), projection, rtol=1e-5, atol=1e-5)
    b = wccn.projection.double().numpy()
    np.testing.assert_array_equal(b, np.tril(b))
    smoothed = (1 - beta) * within + beta * np.eye(DIM)
    np.testing.assert_allclose(b.T @ smoothed @ b, np.eye(DIM), atol=1e-4)


def test_one_batch_of_everything_gives_eq4():
    features = np.concatenate([f for f, _ in make_batches()])
    labels = np.concatenate([y for _, y in make_batches()])
    wccn = DeepWCCN(DIM, NUM_CLASSES, 0.2)
    run_wccn(wccn, [(features, labels)])
    expected = np.mean([numpy_class_covariance(features[labels == k]) for k in range(NUM_CLASSES)], axis=0)
    np.testing.assert_allclose(wccn.class_covariance.mean(0).numpy(), expected, rtol=1e-5, atol=1e-5)
    shared = within_class_covariance(torch.tensor(features), torch.tensor(labels), NUM_CLASSES)
    np.testing.assert_allclose(shared.numpy(), expected, rtol=1e-10)
    np.testing.assert_allclose(wccn.projection.numpy(), numpy_projection(expected, 0.2), rtol=1e-5, atol=1e-5)


def test_output_is_x_times_b_and_eval_leaves_buffers_untouched():
    wccn = DeepWCCN(DIM, NUM_CLASSES, 0.2)
    run_wccn(wccn, make_batches())
    before = {name: buffer.clone() for name, buffer in wccn.named_buffers()}
    x = torch.randn(5, DIM)
    labels = torch.tensor([0, 0, 1, 1, 2])
    wccn.eval()
    torch.testing.assert_close(wccn(x, labels), x @ before["projection"])
    wccn.train()
    torch.testing.assert_close(wccn(x), x @ before["projection"])  # no labels: no update
    for name, buffer in wccn.named_buffers():
        assert torch.equal(buffer, before[name]), name
    # In training with labels the freshly updated B is applied.
    out = wccn(x, labels)
    torch.testing.assert_close(out, x @ wccn.projection)
    assert not torch.equal(wccn.projection, before["projection"])


def test_no_gradient_reaches_the_statistics():
    wccn = DeepWCCN(DIM, NUM_CLASSES, 0.2).train()
    x = torch.randn(8, DIM, requires_grad=True)
    labels = torch.tensor([0, 0, 1, 1, 2, 2, 3, 3])
    out = wccn(x, labels)
    for name, buffer in wccn.named_buffers():
        assert not buffer.requires_grad and buffer.grad_fn is None, name
    assert list(wccn.parameters()) == []
    weights = torch.randn_like(out)
    (out * weights).sum().backward()
    # B is a constant: d(x B)/dx contracted with the weights is weights Bᵀ.
    torch.testing.assert_close(x.grad, weights @ wccn.projection.T)


def test_never_nan_and_b_unchanged_until_a_class_is_seen():
    wccn = DeepWCCN(DIM, NUM_CLASSES, 0.0).train()
    wccn(torch.randn(4, DIM), torch.tensor([0, 1, 2, 3]))  # every class once: nothing to learn yet
    assert torch.equal(wccn.projection, torch.eye(DIM))
    assert wccn.class_batch_count.sum() == 0
    wccn(torch.randn(3, DIM), torch.tensor([2, 2, 2]))  # one class, 3 < DIM examples: rank deficient, β = 0
    assert wccn.class_batch_count.tolist() == [0, 0, 1, 0]
    for buffer in wccn.buffers():
        assert buffer.isfinite().all()


def test_autocast_keeps_statistics_in_full_precision():
    wccn = DeepWCCN(DIM, NUM_CLASSES, 0.2).train()
    batches = make_batches()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        for features, labels in batches:
            out = wccn(torch.tensor(features, dtype=torch.bfloat16), torch.tensor(labels))
    assert out.dtype == torch.bfloat16 and out.isfinite().all()
    assert wccn.projection.dtype == wccn.class_covariance.dtype == torch.float32
    rounded = [(torch.tensor(f).bfloat16().double().numpy(), y) for f, y in batches]
    np.testing.assert_allclose(wccn.projection.numpy(), numpy_streaming(rounded, 0.2)[3], rtol=1e-4, atol=1e-5)


def test_invalid_arguments_raise():
    with pytest.raises(ValueError, match="1.5"):
        DeepWCCN(DIM, NUM_CLASSES, 1.5)
    with pytest.raises(ValueError, match="num_classes=0"):
        DeepWCCN(DIM, 0, 0.2)


def test_two_processes_hold_the_buffers_of_one_process_on_the_union(tmp_path):
    worker = Path(__file__).with_name("ddp_wccn_worker.py")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(worker.parents[1])}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    result = subprocess.run(
        [*command, str(worker), str(tmp_path)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rank0, rank1 = (torch.load(tmp_path / f"rank{rank}.pt") for rank in range(2))

    sys.path.insert(0, str(worker.parent))
    try:
        import ddp_wccn_worker
    finally:
        sys.path.remove(str(worker.parent))
    single = DeepWCCN(ddp_wccn_worker.DIM, ddp_wccn_worker.NUM_CLASSES, ddp_wccn_worker.BETA).train()
    for features, labels in ddp_wccn_worker.make_steps():
        single(features, labels)
    for name, buffer in single.named_buffers():
        assert torch.equal(rank0[name], rank1[name]), name
        torch.testing.assert_close(rank0[name], buffer, rtol=1e-5, atol=1e-6)
    assert rank0["class_batch_count"].tolist() == [4, 4, 3]
