"""The baseline classifier (paper §4.2, §4.6): standardise -> optional classical WCCN -> random forest.

The forest is fitted on the mixture's training rows as they are, i.e. with the smaller language repeated (§4.3),
exactly the set the neural runs train on. Sample weights equal to the repeat factors would be the alternative;
for a forest the two agree only in expectation (a bootstrap over repeated rows draws each copy independently,
so the number of draws per original row differs from a weighted draw over the original rows), and the scaler and
WCCN statistics see the same balance either way.
"""

from __future__ import annotations

from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .wccn import WCCN

N_ESTIMATORS = 100
MAX_DEPTH = 5


def build_pipeline(
    *,
    wccn: bool = False,
    beta: float = 0.2,
    seed: int = 42,
    n_estimators: int = N_ESTIMATORS,
    max_depth: int = MAX_DEPTH,
    n_jobs: int | None = None,
) -> Pipeline:
    """A scikit-learn `Pipeline`: `StandardScaler` (fitted on the training set), `WCCN(beta)` if asked, forest.

    Args:
        wccn (`bool`, defaults to `False`): insert classical WCCN after standardisation.
        beta (`float`, defaults to 0.2): eq. 7 smoothing of the WCCN step.
        seed (`int`, defaults to 42): the forest's `random_state` (bootstrap and feature draws).
        n_estimators (`int`, defaults to 100) and max_depth (`int`, defaults to 5): the paper's forest.
        n_jobs (`int`, *optional*): trees fitted in parallel; the result does not depend on it.
    """
    steps = [("scale", StandardScaler())]
    if wccn:
        # After standardisation, so that S_w (eq. 4) is not dominated by the features with the largest units.
        steps.append(("wccn", WCCN(beta=beta)))
    forest = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth, random_state=seed, n_jobs=n_jobs)
    steps.append(("forest", forest))
    return Pipeline(steps)
