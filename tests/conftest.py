"""Test set-up: one thread, offline, caches in a temporary folder, fixed seeds, and the three markers.

The environment is set at import time, before torch / datasets / transformers are imported by any test.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from pathlib import Path

# Small torch ops are 40-300x slower with 2 threads on the 2-core CI machines.
os.environ["OMP_NUM_THREADS"] = "1"
for _name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ[_name] = "1"
_CACHE_ROOT = Path(tempfile.mkdtemp(prefix="hf_xser_tests_"))
os.environ["HF_HOME"] = str(_CACHE_ROOT / "hf_home")
os.environ["HF_DATASETS_CACHE"] = str(_CACHE_ROOT / "datasets")
os.environ["HF_XSER_CACHE"] = str(_CACHE_ROOT / "hf_xser")
os.environ["MPLBACKEND"] = "Agg"

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)

CORPORA_ENV = "HF_XSER_CORPORA"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    corpora = os.environ.get(CORPORA_ENV)
    if not corpora:
        real_reason = f"{CORPORA_ENV} is not set: point it at the real corpora folder (CI uses ../shared/corpora)"
    elif not Path(corpora).is_dir():
        real_reason = f"{CORPORA_ENV}={corpora} is not a folder"
    else:
        real_reason = None
    for item in items:
        if real_reason and "real_data" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=real_reason))
        if "gpu" in item.keywords and not torch.cuda.is_available():
            item.add_marker(pytest.mark.skip(reason="needs a CUDA device"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_CACHE_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True)
def _seed() -> None:
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture
def corpora_dir() -> Path:
    """The real corpora folder (tests using it carry the `real_data` marker, so they are skipped without it)."""
    return Path(os.environ[CORPORA_ENV])
