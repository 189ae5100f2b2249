"""Issue 11, items 1, 5, 6, 7, 8, 12: odd files, names and folders a user's disk holds.

Each test runs the real command on a temporary folder and checks what a user sees:
every input accounted for in ``index.jsonl`` and ``report.json``, one-line reasons,
no traceback.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer.batch import output_name
from summarizer.cli import main
from summarizer.output.schema import schema_errors

ARTICLE = (
    "Harbour Bridge to reopen in May\n\n"
    "Transport Minister Ana Lopez said on Monday that the Harbour Bridge will reopen in May. "
    "Engineers reportedly found fewer cracks than feared.\n"
)


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    # Named explicitly, so stderr holds only what the test is about (no first-run notice).
    monkeypatch.setenv("SUMMARIZER_MODEL", "offline")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def read_index(out: Path) -> dict[str, dict]:
    lines = (out / "index.jsonl").read_text(encoding="utf-8").splitlines()
    return {entry["path"]: entry for entry in map(json.loads, lines)}


def test_every_walked_entry_ends_in_the_index_with_why(tmp_path, monkeypatch):
    articles = tmp_path / "in"
    (articles / "sub").mkdir(parents=True)
    (articles / "good.txt").write_text(ARTICLE)
    (articles / "sub" / "nested.txt").write_text(ARTICLE.replace("May", "June"))
    os.symlink("self.txt", articles / "self.txt")  # a link to itself
    os.symlink("b.txt", articles / "a.txt")  # a two-link loop
    os.symlink("a.txt", articles / "b.txt")
    os.symlink("missing.txt", articles / "broken.txt")
    os.symlink(articles / "good.txt", articles / "linked.txt")  # a working link is read
    os.symlink(articles / "sub", articles / "folder-link")
    os.symlink("/dev/null", articles / "device.txt")
    os.mkfifo(articles / "pipe.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(articles / "sock"))
    (articles / "locked").mkdir()
    # Tests run as root, which reads any folder: make this one unreadable by hand.
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    try:
        result = invoke("run", str(articles), "--out", str(tmp_path / "out"), "--no-cache", "-q")
    finally:
        server.close()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    index = read_index(tmp_path / "out")
    expected = {
        "good.txt": ("ok", None),
        "sub/nested.txt": ("ok", None),
        "linked.txt": ("ok", None),
        "self.txt": ("failed", "symbolic link loop"),
        "a.txt": ("failed", "symbolic link loop"),
        "b.txt": ("failed", "symbolic link loop"),
        "broken.txt": ("failed", "broken symbolic link"),
        "folder-link": ("skipped", "symbolic link to a folder"),
        "device.txt": ("skipped", "character device"),
        "pipe.txt": ("skipped", "FIFO"),
        "sock": ("skipped", "socket"),
        "locked/": ("failed", "cannot read folder: Permission denied"),
    }
    assert set(index) == set(expected)
    for path, (status, why) in expected.items():
        assert index[path]["status"] == status, index[path]
        if why:
            assert why in index[path]["reason"], index[path]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert (report["inputs"], report["ok"], report["failed"], report["skipped"]) == (12, 3, 5, 4)


def test_summarize_refuses_a_fifo_instead_of_hanging(tmp_path):
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    result = invoke("summarize", str(pipe), "--no-cache")
    assert result.exit_code == 2
    assert "not a regular file" in result.stderr
    assert str(pipe) in result.stderr


@pytest.mark.parametrize("inside", ["same", "child"])
def test_out_inside_the_input_folder_is_refused(tmp_path, inside):
    articles = tmp_path / "in"
    articles.mkdir()
    (articles / "a.txt").write_text(ARTICLE)
    out = articles if inside == "same" else articles / "briefs"
    result = invoke("run", str(articles), "--out", str(out), "--no-cache", "-q")
    assert result.exit_code == 2
    assert "is inside the input folder" in result.stderr
    assert result.stderr.count("\n") == 1  # one line, no traceback
    assert not (out / "index.jsonl").exists()


def test_out_under_a_file_is_a_one_line_error(tmp_path):
    articles = tmp_path / "in"
    articles.mkdir()
    (articles / "a.txt").write_text(ARTICLE)
    (tmp_path / "file").write_text("x")
    result = invoke("run", str(articles), "--out", str(tmp_path / "file" / "out"), "--no-cache")
    assert result.exit_code == 2
    assert "is a file, not a folder" in result.stderr
    assert "Traceback" not in result.output


def test_any_name_the_file_system_accepts_gets_its_output(tmp_path):
    articles = tmp_path / "in"
    articles.mkdir()
    names = [("x" * (255 - len(".txt"))) + ".txt", ("y" * 241) + ".txt", "é" * 125 + ".md"]
    for i, name in enumerate(names):
        (articles / name).write_text(ARTICLE.replace("May", f"May {i + 1}"))
    out = tmp_path / "out"
    result = invoke("run", str(articles), "--out", str(out), "--no-cache", "-q")
    assert result.exit_code == 0, result.output
    index = read_index(out)
    outputs = {entry["output"] for entry in index.values()}
    assert len(outputs) == 3  # shortened names never collide
    for name in names:
        written = json.loads((out / index[name]["output"]).read_text(encoding="utf-8"))
        assert schema_errors(written, "result") == []
        assert written["article"]["source"].endswith(name)
    # A name that is not UTF-8 (any bytes but "/" and NUL are allowed) works too.
    odd = os.fsdecode(b"caf\xe9.txt")
    (articles / odd).write_text(ARTICLE.replace("May", "July"))
    result = invoke("run", str(articles), "--out", str(out), "--no-cache", "-q")
    assert result.exit_code == 0, result.output
    assert read_index(out)[odd]["status"] == "ok"  # the index escapes it as \udce9
    written = json.loads((out / output_name(odd)).read_text(encoding="utf-8"))
    assert written["article"]["source"].endswith("caf\\xe9.txt")
    # No temp file is left behind.
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
        ".summarizer.lock"
    ]


def test_deeply_nested_json_is_one_failed_article(tmp_path):
    articles = tmp_path / "in"
    articles.mkdir()
    (articles / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (articles / "good.txt").write_text(ARTICLE)
    result = invoke("run", str(articles), "--out", str(tmp_path / "out"), "--no-cache", "-q")
    assert result.exit_code == 1
    index = read_index(tmp_path / "out")
    assert index["deep.json"]["status"] == "failed"
    assert "nested too deeply" in index["deep.json"]["reason"]
    assert index["good.txt"]["status"] == "ok"
    direct = invoke("summarize", str(articles / "deep.json"), "--no-cache")
    assert direct.exit_code == 2 and "nested too deeply" in direct.stderr


@pytest.mark.parametrize("cache", [True, False], ids=["cache-hit", "in-run-duplicate"])
def test_warnings_belong_to_each_file(tmp_path, cache):
    articles = tmp_path / "in"
    articles.mkdir()
    # The same cleaned text: one file cp1252 (decoding warning), one clean UTF-8.
    text = ARTICLE.replace("Lopez", "López")
    (articles / "a-latin.txt").write_bytes(text.encode("cp1252"))
    (articles / "b-utf8.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    options = ["--cache", str(tmp_path / "c.db")] if cache else ["--no-cache"]
    if cache:  # first run caches the cp1252 file's result; the rerun serves the other
        (articles / "b-utf8.txt").rename(tmp_path / "b-utf8.txt")
        assert invoke("run", str(articles), "--out", str(out), *options, "-q").exit_code == 0
        (tmp_path / "b-utf8.txt").rename(articles / "b-utf8.txt")
    result = invoke("run", str(articles), "--out", str(out), *options, "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    latin = json.loads((out / "a-latin.txt.json").read_text(encoding="utf-8"))
    utf8 = json.loads((out / "b-utf8.txt.json").read_text(encoding="utf-8"))
    assert latin["article"]["sha256"] == utf8["article"]["sha256"]
    assert any("decoded as cp1252" in w for w in latin["warnings"])
    assert not any("decoded as" in w for w in utf8["warnings"]), utf8["warnings"]
    index = read_index(out)
    assert index["b-utf8.txt"].get("cache_hit") or index["b-utf8.txt"].get("duplicate_of")


def test_a_long_reason_is_one_line_in_the_index(tmp_path):
    from summarizer.batch import one_line

    reason = "first line\nsecond line with details\n" + "x" * 1000
    shown = one_line(reason)
    assert "\n" not in shown and len(shown) <= 300
    assert shown.startswith("first line second line")
