"""The baselines' parts: classical WCCN, the forest pipeline, openSMILE extraction and its cache."""

from __future__ import annotations

import numpy as np
import pytest
from datasets import Dataset
from sklearn.utils.estimator_checks import check_estimator

from hf_xser.baselines import (
    FEATURE_DIMS,
    MIN_SAMPLES,
    WCCN,
    FeatureTable,
    build_pipeline,
    corpus_features,
    extract_functionals,
    parse_scheme,
)
from hf_xser.baselines import cache as cache_module
from hf_xser.baselines import features as features_module


def numpy_wccn(features: np.ndarray, labels: np.ndarray, beta: float) -> np.ndarray:
    """Eq. 4, 7 and 5 written out in float64 numpy, independently of `hf_xser.models`."""
    dim = features.shape[1]
    classes = np.unique(labels)
    within = np.zeros((dim, dim))
    for label in classes:
        centred = features[labels == label] - features[labels == label].mean(axis=0)
        within += centred.T @ centred / len(centred)  # eq. 4: 1/N_k inside each class ...
    within /= len(classes)  # ... and 1/K over classes
    smoothed = (1 - beta) * within + beta * np.eye(dim)  # eq. 7
    return np.linalg.cholesky(np.linalg.inv(smoothed))  # eq. 5: B = chol(S^-1), lower


def class_data(rng: np.random.Generator, n: int = 240, dim: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Four classes with shifted means and a shared, correlated within-class covariance."""
    labels = rng.integers(0, 4, size=n)
    mixing = rng.normal(size=(dim, dim))
    features = rng.normal(size=(n, dim)) @ mixing + 0.8 * labels[:, None] * rng.normal(size=dim)
    return features, labels


@pytest.mark.parametrize("beta", [0.0, 0.2, 0.9])
def test_wccn_matches_numpy_reference(beta: float) -> None:
    features, labels = class_data(np.random.default_rng(1))
    wccn = WCCN(beta=beta).fit(features, labels)
    expected = numpy_wccn(features, labels, beta)
    assert wccn.projection_.dtype == np.float64
    np.testing.assert_allclose(wccn.projection_, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(wccn.transform(features), features @ expected, rtol=1e-9, atol=1e-12)


def test_wccn_whitens_the_within_class_covariance_without_smoothing() -> None:
    features, labels = class_data(np.random.default_rng(2))
    projected = WCCN(beta=0.0).fit_transform(features, labels)
    within = np.mean([np.cov(projected[labels == k].T, bias=True) for k in range(4)], axis=0)
    np.testing.assert_allclose(within, np.eye(features.shape[1]), atol=1e-9)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")  # array-API checks need SCIPY_ARRAY_API
def test_wccn_is_a_scikit_learn_transformer() -> None:
    check_estimator(WCCN())
    with pytest.raises(ValueError, match="beta must be in"):
        WCCN(beta=1.5).fit(*class_data(np.random.default_rng(3)))


def forest_predictions(seed: int, order: np.ndarray | None = None, wccn: bool = False) -> np.ndarray:
    rng = np.random.default_rng(4)
    features, labels = class_data(rng, n=300)
    test = class_data(rng, n=100)[0]
    if order is not None:
        features, labels = features[order], labels[order]
    return build_pipeline(seed=seed, wccn=wccn).fit(features, labels).predict_proba(test)


@pytest.mark.parametrize("wccn", [False, True])
def test_forest_is_reproducible_with_its_seed(wccn: bool) -> None:
    first = forest_predictions(seed=0, wccn=wccn)
    np.testing.assert_array_equal(first, forest_predictions(seed=0, wccn=wccn))
    assert not np.array_equal(first, forest_predictions(seed=1, wccn=wccn))
    shuffled = np.random.default_rng(5).permutation(300)
    assert not np.array_equal(first, forest_predictions(seed=0, order=shuffled, wccn=wccn))


def test_pipeline_has_the_papers_forest() -> None:
    pipeline = build_pipeline(wccn=True, beta=0.3, seed=7)
    assert [name for name, _ in pipeline.steps] == ["scale", "wccn", "forest"]
    forest = pipeline.named_steps["forest"]
    assert (forest.n_estimators, forest.max_depth, forest.random_state) == (100, 5, 7)
    assert pipeline.named_steps["wccn"].beta == 0.3
    assert [name for name, _ in build_pipeline().steps] == ["scale", "forest"]


def tone(seconds: float, frequency: float = 180.0, seed: int = 0) -> np.ndarray:
    """A voiced-like clip: a harmonic tone with a little noise, 16 kHz float32."""
    t = np.arange(int(16_000 * seconds)) / 16_000
    wave = sum(np.sin(2 * np.pi * frequency * h * t) / h for h in range(1, 6))
    return (0.3 * wave + 0.01 * np.random.default_rng(seed).normal(size=t.size)).astype(np.float32)


@pytest.mark.parametrize("feature_set", ["egemaps", "emobase"])
def test_extraction_shape(feature_set: str) -> None:
    clips = [(f"u{i}", tone(0.5 + 0.1 * i, 150 + 20 * i, seed=i)) for i in range(3)]
    features = extract_functionals(iter(clips), feature_set, progress=False)
    assert features.shape == (3, FEATURE_DIMS[feature_set])
    assert features.dtype == np.float32 and np.isfinite(features).all()
    assert not np.allclose(features[0], features[1])


def test_extraction_on_two_workers_matches_one() -> None:
    clips = [(f"u{i}", tone(0.4, 120 + 15 * i, seed=i)) for i in range(20)]
    serial = extract_functionals(iter(clips), "egemaps", progress=False)
    np.testing.assert_array_equal(extract_functionals(iter(clips), "egemaps", num_workers=2, progress=False), serial)


def test_short_clip_is_zero_padded_to_the_minimum_length() -> None:
    short = tone(0.01)  # 160 samples: openSMILE alone returns NaN for it
    padded = np.pad(short, (0, MIN_SAMPLES - short.size))
    features = extract_functionals(iter([("short", short), ("padded", padded)]), "egemaps", progress=False)
    assert np.isfinite(features).all()
    np.testing.assert_array_equal(features[0], features[1])


def test_empty_clip_and_non_finite_features_name_the_utterance(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="'03a01Wa' has no samples"):
        extract_functionals(iter([("03a01Wa", np.zeros(0, np.float32))]), "egemaps", progress=False)
    # Without the padding openSMILE fills a too-short clip with NaN: that must be reported by utterance id.
    monkeypatch.setattr(features_module, "prepare_waveform", lambda array, uid: np.asarray(array, np.float32))
    clips = [("fine", tone(0.5)), ("tiny_clip", tone(0.01))]
    with pytest.raises(ValueError, match="non-finite features for utterance\\(s\\) 'tiny_clip'"):
        extract_functionals(iter(clips), "egemaps", progress=False)


def test_unknown_feature_set_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown feature set 'compare'; choose one of egemaps, emobase"):
        extract_functionals(iter([]), "compare")


def corpus_dataset(count: int) -> Dataset:
    clips = [tone(0.3 + 0.05 * i, 140 + 10 * i, seed=i) for i in range(count)]
    return Dataset.from_dict(
        {
            "audio": [{"array": clip, "sampling_rate": 16_000, "path": f"u{i}.wav"} for i, clip in enumerate(clips)],
            "utterance_id": [f"u{i}" for i in range(count)],
            "duration": [clip.size / 16_000 for clip in clips],
        }
    )


def test_corpus_features_are_cached(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = corpus_features(corpus_dataset(4), "egemaps", corpus="demo", cache_dir=tmp_path, progress=False)
    assert first.utterance_ids == ("u0", "u1", "u2", "u3") and first.features.shape == (4, 88)

    def no_extraction(*args, **kwargs):
        raise AssertionError("openSMILE ran although the features are cached")

    monkeypatch.setattr(cache_module, "extract_functionals", no_extraction)
    second = corpus_features(corpus_dataset(4), "egemaps", corpus="demo", cache_dir=tmp_path, progress=False)
    np.testing.assert_array_equal(second.features, first.features)
    assert len(list(tmp_path.rglob("*.npz"))) == 1
    # Another set of utterances is another corpus version: it must not be served from this cache.
    with pytest.raises(AssertionError, match="openSMILE ran"):
        corpus_features(corpus_dataset(5), "egemaps", corpus="demo", cache_dir=tmp_path, progress=False)


def test_feature_table_rows_follow_the_requested_ids() -> None:
    table = FeatureTable(("a", "b", "c"), np.arange(6, dtype=np.float32).reshape(3, 2))
    rows = table.rows(["c", "a", "c"])
    assert rows.dtype == np.float64
    np.testing.assert_array_equal(rows, [[4, 5], [0, 1], [4, 5]])
    with pytest.raises(KeyError, match="'zz'"):
        table.rows(["a", "zz"])


def test_schemes() -> None:
    assert [parse_scheme(s) for s in ("DECH", "DEEN", "ENCH")] == [("de", "zh"), ("de", "en"), ("en", "zh")]
    with pytest.raises(ValueError, match="two-letter"):
        parse_scheme("DEC")
