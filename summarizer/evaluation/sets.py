"""The named gold sets (``summarizer eval NAME``) and where their data comes from.

Why no default data folder: the corpora are copyrighted and live outside the package,
so a wheel installed anywhere cannot guess where they are; the caller names the folder
(``--data DIR`` or ``$SUMMARIZER_SHARED_DATA``). The seed set is the exception: it is
ours, so it ships inside the package and is read through ``importlib.resources``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from .corpora import gum_gold, polnear_gold
from .gold import GoldArticle, GoldError, GoldHedgeCue, GoldSentence, load_gold

DATA_ENV = "SUMMARIZER_SHARED_DATA"
_SEED_NAME = "seed-article.gold.jsonl"
# In a checkout the seed files sit in examples/; a wheel ships them as package data.
_CHECKOUT_SEED = Path(__file__).resolve().parents[2] / "examples" / _SEED_NAME


def seed_gold_path() -> Path:
    """The seed gold file: package data when installed, ``examples/`` in a checkout."""
    packaged = resources.files("summarizer.evaluation").joinpath("data", _SEED_NAME)
    if packaged.is_file():
        return Path(str(packaged))
    if _CHECKOUT_SEED.is_file():
        return _CHECKOUT_SEED
    raise GoldError(f"seed gold {_SEED_NAME} is missing from the installation")


def factbank_gold(data_dir: str | os.PathLike[str]) -> list[GoldArticle]:
    """FactBank (Szeged Uncertainty Corpus) hedge cues and certain/uncertain sentences.

    Reads ``uncertainty.jsonl``; every cue and sentence offset is checked against its
    article file, as ``load_gold`` does for our own format.
    """
    folder = Path(data_dir)
    index = folder / "uncertainty.jsonl"
    out = []
    for lineno, row in _rows(index):
        where = f"{index}:{lineno}"
        path = folder / "articles" / row["doc_id"]
        gold = GoldArticle(id=row["doc_id"], article_path=path, origin=where)
        raw = gold.raw_text
        gold.hedge_cues, gold.sentences = [], []
        for sent in row["sentences"]:
            gold.sentences.append(GoldSentence(sent["start"], sent["end"], sent["uncertain"]))
            for cue in sent["cues"]:
                if raw[cue["start"] : cue["end"]] != cue["text"]:
                    raise GoldError(f"{where}: cue {cue['text']!r} is not at its offsets")
                gold.hedge_cues.append(GoldHedgeCue(cue["text"], cue["start"], cue["end"]))
        out.append(gold)
    return out


def boilerplate_gold(data_dir: str | os.PathLike[str]) -> list[GoldArticle]:
    """Page dumps (``naive_fulltext/``) with the human article body as reference.

    Scores only the page-dump leak figure: evidence quotes not in the human text.
    """
    folder = Path(data_dir)
    out = []
    for lineno, row in _rows(folder / "index.jsonl"):
        clean = folder / row["clean_text_path"]
        gold = GoldArticle(
            id=row["id"][:16],
            article_path=folder / row["naive_fulltext_path"],
            origin=f"{folder / 'index.jsonl'}:{lineno}",
        )
        try:
            gold.clean_text = clean.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise GoldError(f"{gold.origin}: cannot read {clean}: {exc}") from exc
        out.append(gold)
    return out


def _rows(path: Path) -> list[tuple[int, dict]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        return [(k, json.loads(line)) for k, line in enumerate(lines, 1) if line.strip()]
    except json.JSONDecodeError as exc:
        raise GoldError(f"{path}: invalid JSON ({exc.msg})") from None


# Corpus sets: folder name under the data folder -> converter.
CORPUS_SETS: dict[str, Callable[[Path], list[GoldArticle]]] = {
    "polnear-train": polnear_gold,
    "gum-dev": gum_gold,
    "factbank-dev": factbank_gold,
    "boilerplate-dev": boilerplate_gold,
}
BUILTIN_SETS = ("seed", *CORPUS_SETS)


def data_folder(name: str, data_dir: str | os.PathLike[str] | None) -> Path:
    """``<data>/<name>`` from ``data_dir``, else ``$SUMMARIZER_SHARED_DATA``.

    ``data_dir`` may be the data folder itself or its parent (``shared`` holding
    ``data/``). Errors are one line naming the option to use.
    """
    given = data_dir if data_dir is not None else os.environ.get(DATA_ENV)
    if not given:
        raise GoldError(
            f"{name}: no data folder given: pass --data DIR (the folder holding {name}/) "
            f"or set {DATA_ENV}"
        )
    for base in (Path(given), Path(given) / "data"):
        if (base / name).is_dir():
            return base / name
    raise GoldError(f"{name}: no {name}/ folder in {given} (given by --data or {DATA_ENV})")


def builtin_gold(name: str, data_dir: str | os.PathLike[str] | None = None) -> list[GoldArticle]:
    """A named gold set: ``seed`` (shipped) or a corpus read from the data folder."""
    if name == "seed":
        return load_gold(seed_gold_path())
    if name not in CORPUS_SETS:
        raise GoldError(f"unknown gold set {name!r}; built-in sets: {', '.join(BUILTIN_SETS)}")
    return CORPUS_SETS[name](data_folder(name, data_dir))
