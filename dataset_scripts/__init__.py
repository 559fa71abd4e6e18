"""Corpus builders (`datasets.GeneratorBasedBuilder`), one sub-package per corpus, each with its dataset card.

They are imported, not loaded as scripts: datasets >= 4 no longer runs loading scripts.
"""
