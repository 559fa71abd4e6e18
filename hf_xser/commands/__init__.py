"""Sub-commands of the `hf-xser` console script (see `hf_xser.cli`)."""
