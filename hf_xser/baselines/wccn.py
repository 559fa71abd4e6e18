"""Classical WCCN (paper §4.6) as a scikit-learn transformer.

The statistics are those of Deep-WCCN (eq. 4, 7, 5) computed once on the whole training set instead of streamed
over mini-batches; the math is shared with `hf_xser.models` (`within_class_covariance`, `wccn_projection`) so that
the baseline and the neural layer cannot drift apart.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..models.modeling_wav2vec2_wccn import wccn_projection, within_class_covariance


class WCCN(TransformerMixin, BaseEstimator):
    """Within-class covariance normalisation: `transform(X) = X · B`, with B fitted on labelled training data.

    Args:
        beta (`float`, defaults to 0.2): the smoothing weight of eq. 7, S = (1 - β) S_w + β I, in `[0, 1]`.

    Attributes:
        classes_ (`np.ndarray`): the class labels seen in `fit`.
        projection_ (`np.ndarray` of shape `(n_features, n_features)`): B of eq. 5, lower triangular, float64.
    """

    def __init__(self, beta: float = 0.2) -> None:
        self.beta = beta

    def fit(self, X: np.ndarray, y: np.ndarray) -> WCCN:
        """Eq. 4 on (X, y) in float64, smoothing (eq. 7), then B = lower Cholesky factor of S⁻¹ (eq. 5)."""
        if not 0.0 <= self.beta <= 1.0:
            raise ValueError(f"beta must be in [0, 1], got {self.beta}")
        X, y = validate_data(self, X, y, dtype=np.float64)
        self.classes_, codes = np.unique(y, return_inverse=True)
        # torch.tensor copies: validated input may be a read-only view, which torch.from_numpy warns about.
        covariance = within_class_covariance(torch.tensor(X), torch.tensor(codes), len(self.classes_))
        self.projection_ = wccn_projection(covariance.to(torch.float64), self.beta).numpy()
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Project the rows: X · B (the row form of Bᵀh in eq. 5)."""
        check_is_fitted(self, "projection_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.projection_
