"""Bad input: each problem is an error naming the file or folder and what is wrong; skip_invalid skips and lists."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from dataset_scripts.casia import Casia
from dataset_scripts.emodb import EmoDB
from dataset_scripts.esd import Esd
from dataset_scripts.manifest import Manifest
from dataset_scripts.ravdess import Ravdess
from hf_xser.data import InvalidCorpusError, corpus_builder, load_corpus
from hf_xser.data.synthetic import generate_demo_corpora


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("demo")
    return generate_demo_corpora(
        root, corpora=["emodb", "ravdess", "esd", "casia"], utterances_per_class=1, duration=0.2
    )


@pytest.fixture
def emodb(demo: dict[str, Path], tmp_path: Path) -> Path:
    """A private copy of the demo Emo-DB, to break."""
    return Path(shutil.copytree(demo["emodb"], tmp_path / "emodb"))


def _prepare(builder_class, data_dir: Path, cache: Path, **kwargs):
    builder = builder_class(config_name="all", data_dir=str(data_dir), cache_dir=str(cache), **kwargs)
    builder.download_and_prepare()
    return builder


def _tone(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, 0.1 * np.sin(np.arange(1600) / 5), 16_000)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidCorpusError, match=r"nowhere does not exist: point data_dir at the Emo-DB folder"):
        _prepare(EmoDB, tmp_path / "nowhere", tmp_path / "cache")


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no audio here")
    with pytest.raises(InvalidCorpusError, match=r"empty holds no audio files \(.wav, .flac\)"):
        _prepare(Ravdess, tmp_path / "empty", tmp_path / "cache")


@pytest.mark.parametrize(
    ("builder_class", "other", "message"),
    [
        (
            EmoDB,
            "ravdess",
            "does not hold the Emo-DB layout: none of its 96 audio files .* looks like a RAVDESS folder",
        ),
        (Ravdess, "emodb", "does not hold the RAVDESS layout: .* It looks like a Emo-DB folder"),
        (Esd, "casia", "does not hold the ESD layout: .* It looks like a CASIA folder"),
        (Casia, "esd", "does not hold the CASIA layout: .* It looks like a ESD folder"),
    ],
)
def test_another_corpus_layout(demo: dict[str, Path], tmp_path: Path, builder_class, other: str, message: str) -> None:
    with pytest.raises(InvalidCorpusError, match=message):
        _prepare(builder_class, demo[other], tmp_path / "cache")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("03a01Wz.wav", b"", "03a01Wz.wav: zero-length file"),
        ("03a02Wz.wav", b"<html>a web page saved as .wav</html>", "03a02Wz.wav: not an audio file"),
        ("03a07Wz.wav", b"RIFF....WAVEjunk", r"03a07Wz.wav: unreadable \(Error in WAV file"),
        ("03a04Wz.wav", "truncate", "03a04Wz.wav: truncated audio file"),
        ("03a05Wz.wav", "link", "03a05Wz.wav: unreadable"),
    ],
    ids=["zero-length", "non-audio", "corrupt-header", "truncated", "unreadable"],
)
def test_bad_audio_file_is_named(emodb: Path, tmp_path: Path, name: str, content, message: str) -> None:
    path = emodb / "wav" / name
    if content == "truncate":
        _tone(path)
        path.write_bytes(path.read_bytes()[:1000])
    elif content == "link":
        path.symlink_to(tmp_path / "gone.wav")
    else:
        path.write_bytes(content)
    with pytest.raises(InvalidCorpusError, match=message):
        _prepare(EmoDB, emodb, tmp_path / "cache")


@pytest.mark.parametrize(
    ("builder_class", "corpus", "relative", "message"),
    [
        (EmoDB, "emodb", "wav/03a01Xa.wav", r"03a01Xa.wav: unknown emotion code 'X'"),
        (
            Ravdess,
            "ravdess",
            "Actor_01/03-01-09-01-01-01-01.wav",
            r"03-01-09-01-01-01-01.wav: unknown emotion code '09'",
        ),
        (Esd, "esd", "0001/Excited/train/0001_000001.wav", r"0001_000001.wav: unknown emotion folder 'Excited'"),
        (Casia, "casia", "wangzhe/bored/201.wav", r"201.wav: unknown emotion folder 'bored'"),
        (EmoDB, "emodb", "wav/03a01Fa copy.wav", r"03a01Fa copy.wav: unexpected file name for Emo-DB"),
        (EmoDB, "emodb", "wav/05a01Fa.wav", r"05a01Fa.wav: speaker '05' is not a Emo-DB speaker"),
        (EmoDB, "emodb", "old/03a01Fa.wav", r"03a01Fa.wav: utterance 03a01Fa is also in"),
        (Ravdess, "ravdess", "Actor_01/03-01-05-03-01-01-01.wav", r"intensity, statement and repetition are 01 or 02"),
        (Ravdess, "ravdess", "Actor_25/03-01-05-01-01-01-25.wav", r"speaker '25' is not a RAVDESS speaker"),
        (
            Esd,
            "esd",
            "0001/Angry/0002_000001.wav",
            r"0002_000001.wav: unexpected file name: speaker 0002 in folder 0001",
        ),
        (Esd, "esd", "0031/Angry/0031_000001.wav", r"0031_000001.wav: speaker 0031 is not an ESD speaker"),
        (Casia, "casia", "liuchanhg/angry/201a.wav", r"201a.wav: unexpected file name for CASIA"),
    ],
)
def test_unknown_label_code_or_unexpected_file_name(
    demo, tmp_path: Path, builder_class, corpus: str, relative: str, message: str
) -> None:
    root = Path(shutil.copytree(demo[corpus], tmp_path / corpus))
    _tone(root / relative)
    with pytest.raises(InvalidCorpusError, match=message):
        _prepare(builder_class, root, tmp_path / "cache")


def test_skip_invalid_skips_reports_and_remembers(emodb: Path, tmp_path: Path, caplog) -> None:
    (emodb / "wav" / "03a02Wz.wav").write_bytes(b"")  # fails when decoded
    _tone(emodb / "wav" / "03a01Xa.wav")  # fails when scanned
    _tone(emodb / "wav" / "notes.wav")
    with pytest.raises(
        InvalidCorpusError, match=r"(?s)2 invalid file\(s\) in .*03a01Xa.wav.*notes.wav.*skip_invalid=True"
    ):
        _prepare(EmoDB, emodb, tmp_path / "cache")
    builder = corpus_builder("emodb", emodb, skip_invalid=True, cache_dir=str(tmp_path / "cache"))
    assert builder.as_dataset(split="train").num_rows == 40
    reasons = {Path(entry["path"]).name: entry["reason"] for entry in builder.skipped_files}
    assert sorted(reasons) == ["03a01Xa.wav", "03a02Wz.wav", "notes.wav"]
    assert reasons["03a02Wz.wav"] == "zero-length file"
    assert "skipped 2 invalid file(s)" in caplog.text and "03a02Wz.wav: zero-length file" in caplog.text
    again = corpus_builder("emodb", emodb, skip_invalid=True, cache_dir=str(tmp_path / "cache"))  # from the cache
    assert again.skipped_files == builder.skipped_files


def test_manifest_problems_name_the_line_or_file(tmp_path: Path) -> None:
    _tone(tmp_path / "a.wav")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,label,speaker,language\na.wav,angry,s1,de\nb.wav,sad,s2,de\na.wav,,s3,de\n")
    with pytest.raises(
        InvalidCorpusError, match=r"(?s)b.wav: listed in .*m.csv, line 3 but missing.*line 4: empty label"
    ):
        load_corpus("manifest", manifest, cache_dir=str(tmp_path / "cache"))
    manifest.write_text("file,emotion\na.wav,angry\n")
    with pytest.raises(InvalidCorpusError, match=r"m.csv lacks the column\(s\) path, label, speaker"):
        load_corpus("manifest", manifest, cache_dir=str(tmp_path / "cache"))
    (tmp_path / "other.tsv").write_text("path\tlabel\tspeaker\n")
    with pytest.raises(InvalidCorpusError, match=r"must hold exactly one manifest .* found m.csv, other.tsv"):
        _prepare(Manifest, tmp_path, tmp_path / "cache")


def test_bad_options(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown corpus 'iemocap'; known: emodb, ravdess, esd, casia, manifest"):
        load_corpus("iemocap", tmp_path)
    with pytest.raises(ValueError, match=r"classes must be one of \('4', 'all'\), got '7'"):
        EmoDB(config_name="all", data_dir=str(tmp_path), classes="7")
    with pytest.raises(ValueError, match=r"ESD language must be one of \['en', 'zh'\], got 'de'"):
        Esd(config_name="all", data_dir=str(tmp_path), language="de")
