"""Any labelled emotional speech corpus described by a CSV / TSV manifest."""

from .manifest import Manifest, ManifestConfig

__all__ = ["Manifest", "ManifestConfig"]
