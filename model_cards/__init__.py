"""Model-card templates (jinja2, rendered by `huggingface_hub.ModelCard.from_template`)."""

from pathlib import Path

TEMPLATE = Path(__file__).with_name("template.md")
