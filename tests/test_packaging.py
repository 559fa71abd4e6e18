"""The distribution: a built wheel installed elsewhere carries the package, the builders and their data files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import dataset_scripts

ROOT = Path(__file__).resolve().parents[1]


def _builder_packages() -> list[str]:
    """Every sub-package of `dataset_scripts` in the source tree (one per corpus)."""
    return sorted(p.parent.name for p in Path(dataset_scripts.__file__).parent.glob("*/__init__.py"))


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".git", ".venv", ".ci-venv", "*.egg-info", "build", "outputs", "__pycache__"),
    )
    wheels = work / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(source),
        ],
        check=True,
    )
    (wheel,) = wheels.glob("hf_xser-*.whl")
    target = work / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], check=True
    )
    return target


def _run_from(target: Path, code: str) -> str:
    # cwd and PYTHONPATH are set so that only the installed copy (not the source tree) can be imported.
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", code], cwd=target.parent, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_wheel_holds_package_and_console_script(installed_wheel: Path) -> None:
    out = _run_from(
        installed_wheel, "import hf_xser, dataset_scripts; print(hf_xser.__file__); print(dataset_scripts.__file__)"
    )
    for line in out.split():
        assert Path(line).is_relative_to(installed_wheel), line
    entry_points = next(installed_wheel.glob("hf_xser-*.dist-info")) / "entry_points.txt"
    assert "hf-xser = hf_xser.cli:main" in entry_points.read_text()


def test_wheel_builders_import_with_their_cards(installed_wheel: Path) -> None:
    names = _builder_packages()
    code = (
        "import importlib, pathlib\n"
        f"for name in {names!r}:\n"
        "    module = importlib.import_module(f'dataset_scripts.{name}')\n"
        "    folder = pathlib.Path(module.__file__).parent\n"
        "    assert (folder / 'README.md').is_file(), f'{name}: dataset card missing from the wheel'\n"
        "    print(folder)\n"
    )
    out = _run_from(installed_wheel, code)
    assert len(out.split()) == len(names)
    for line in out.split():
        assert Path(line).is_relative_to(installed_wheel), line
