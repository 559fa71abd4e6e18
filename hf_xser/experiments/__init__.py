"""The paper's evidence as one resumable command: the grid of cells (`hf-xser experiment`), its aggregation,
tables and figures (`hf-xser report`), and the hyper-parameter search (`hf-xser search`).

- `config`: the experiment file (schemes, folds, variants, target shots, embeddings, ablations, launcher).
- `grid`: the cells, one run of the training script or of a baseline each, named `SCHEME/VARIANT/shotsN/foldK`.
- `runner`: runs unfinished cells, records failures, writes the manifest.
- `embeddings`: dumps a trained cell's embeddings for the PCA figure.
- `aggregate`, `tables`, `figures`, `report`: from cell folders to `report.md`, `cells.csv` and PNGs.
- `search`: optuna (TPE) around the training script, resumable from its SQLite storage.
"""
