"""The console script's dispatch."""

from __future__ import annotations

import pytest

from hf_xser.cli import main


def test_env_reports_threads_and_corpora(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_XSER_CORPORA", "/nonexistent/corpora")
    assert main(["env"]) == 0
    out = capsys.readouterr().out
    assert "- OMP_NUM_THREADS: 1" in out
    assert "/nonexistent/corpora (missing)" in out


def test_unknown_command_exits_with_usage() -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["no-such-command"])
    assert excinfo.value.code == 2
