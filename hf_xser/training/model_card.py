"""The model card of a run, from `model_cards/template.md`, with per-test-set UA/WA as `model-index` results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from model_cards import TEMPLATE

LANGUAGE_NAMES = {"de": "German", "en": "English", "zh": "Mandarin"}


def build_model_card(
    *, repo_id: str, records: Sequence[Mapping], settings: Mapping, hyper_parameters: Mapping
) -> ModelCard:
    """Fill the template: base model, corpora, languages, folds, hyper-parameters and per-test-set results."""
    eval_results = [
        EvalResult(
            task_type="audio-classification",
            task_name="Speech emotion recognition",
            dataset_type=f"{r['test_set']}-{r['setting']}",
            dataset_name=f"{LANGUAGE_NAMES.get(r['test_set'], r['test_set'])} test speakers, fold {r['fold']} "
            f"({r['setting']}-language)",
            dataset_split=f"fold{r['fold']}-test",
            metric_type=metric,
            metric_name=metric.upper(),
            metric_value=round(float(r[metric]), 4),
        )
        for r in records
        for metric in ("ua", "wa")
    ]
    languages = sorted({*settings["train_languages"], *settings["test_languages"]})
    card_data = ModelCardData(
        language=languages,
        license="cc-by-nc-sa-4.0",
        library_name="transformers",
        pipeline_tag="audio-classification",
        tags=["speech-emotion-recognition", "wav2vec2", "deep-wccn", "hf-xser", "cross-language"],
        base_model=settings.get("base_model"),
        model_name=repo_id,
        eval_results=eval_results,
    )
    return ModelCard.from_template(
        card_data,
        template_path=str(TEMPLATE),
        repo_id=repo_id,
        results=records,
        **settings,
        **hyper_parameters,
    )
