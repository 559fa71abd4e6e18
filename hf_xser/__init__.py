"""hf-xser: speaker-independent cross-language speech emotion recognition on the Hugging Face stack."""

__version__ = "0.1.0"
