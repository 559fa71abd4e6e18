"""hf-xser: speaker-independent cross-language speech emotion recognition on the Hugging Face stack."""

__version__ = "0.1.0"

from .data import LABELS, Mixture, build_mixture, check_leakage, load_corpus, scheme_name  # noqa: E402

# Importing the models registers them with transformers' Auto classes.
from .models import DeepWCCN, Wav2Vec2ForWCCNClassification, Wav2Vec2WCCNConfig  # noqa: E402

__all__ = ["DeepWCCN", "Wav2Vec2ForWCCNClassification", "Wav2Vec2WCCNConfig", "__version__"]
__all__ += ["LABELS", "Mixture", "build_mixture", "check_leakage", "load_corpus", "scheme_name"]
