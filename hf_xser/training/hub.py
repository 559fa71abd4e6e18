"""Pushing a finished run to the Hub, and saying so clearly when that is not possible."""

from __future__ import annotations

import logging
import os

from huggingface_hub import HfApi

logger = logging.getLogger(__name__)

# What a model repository needs: weights, configs (auto_map), the remote-code files, the card and results.
PUSHED_FILES = ["*.safetensors", "*.json", "*.py", "README.md"]


def push_folder(
    folder: str | os.PathLike, repo_id: str, token: str | None = None, private: bool | None = None
) -> bool:
    """Upload a saved model folder to `repo_id`; return whether it worked. Failure keeps the local copy."""
    try:
        api = HfApi(token=token)
        api.create_repo(repo_id, exist_ok=True, private=private)
        api.upload_folder(folder_path=str(folder), repo_id=repo_id, allow_patterns=PUSHED_FILES)
    except OSError as error:  # offline mode, no network, refused credentials: all OSError in huggingface_hub
        logger.warning(
            "Could not push to the Hub repository %s (%s: %s). Everything is kept locally in %s; push it later "
            "with `hf upload %s %s`.",
            repo_id,
            type(error).__name__,
            error,
            folder,
            repo_id,
            folder,
        )
        return False
    logger.info("Pushed %s to https://huggingface.co/%s", folder, repo_id)
    return True
