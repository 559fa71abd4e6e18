"""What `run_classification.py` is built from: argument dataclasses, model set-up, evaluation, model card."""
