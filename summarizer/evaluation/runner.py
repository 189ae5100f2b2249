"""Run a predictor over a gold set and score it: what ``summarizer eval`` calls."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from summarizer.input.article import Article

from .gold import GoldArticle, GoldError, load_gold
from .report import EvalReport, _aggregate
from .scoring import ArticleScore, score_article
from .sets import BUILTIN_SETS, builtin_gold

Predict = Callable[[Article], Any]
PARTS = ("dev", "check")


def _load(gold: GoldArticle) -> Article:
    from summarizer.input.loader import article_from_text, load_article  # a colleague's module

    if gold.article_path is not None:
        return load_article(gold.article_path)
    assert gold.text is not None
    return article_from_text(gold.text, title=gold.title, source=gold.id)


def evaluate(
    gold: Sequence[GoldArticle],
    predict: Predict,
    *,
    limit: int | None = None,
    min_salience: float = 3.0,
    set_name: str = "",
) -> EvalReport:
    """Run ``predict`` on each gold article (first ``limit``) and score the results.

    ``predict`` returns the result envelope (``Result.to_dict()``), a ``Result``, or a
    bare brief. An article whose loading, prediction or scoring raises is recorded as
    failed with its error and the run continues: one bad article must not hide the
    numbers of the other few hundred.
    """
    scores: list[ArticleScore] = []
    for item in list(gold)[:limit] if limit is not None else gold:
        stage = "load"
        seconds = None
        try:
            article = _load(item)
            stage = "predict"
            started = time.perf_counter()
            output = predict(article)
            seconds = time.perf_counter() - started
            stage = "score"
            score = score_article(item, article, output, min_salience=min_salience)
        except Exception as exc:  # recorded per article, never fatal to the run
            score = ArticleScore(item.id, ok=False, error=f"{stage}: {type(exc).__name__}: {exc}")
        score.seconds = seconds
        scores.append(score)
    return _aggregate(set_name, scores)


def run_eval(
    set_name_or_path: str,
    predict: Predict,
    *,
    data_dir: Path | None = None,
    limit: int | None = None,
    part: str | None = None,
) -> EvalReport:
    """What ``summarizer eval SET`` calls: a gold file path or a built-in set name.

    ``part`` keeps the ``dev`` (even positions) or ``check`` (odd positions) half of
    the set before ``limit`` applies, so rules tuned on one half are checked on the
    other; ``None`` keeps all.
    """
    path = Path(set_name_or_path)
    if path.is_file():
        gold = load_gold(path)
    elif set_name_or_path in BUILTIN_SETS:
        gold = builtin_gold(set_name_or_path, data_dir)
    else:
        raise GoldError(
            f"{set_name_or_path}: neither a gold file nor a built-in set "
            f"({', '.join(BUILTIN_SETS)})"
        )
    if part is not None:
        if part not in PARTS:
            raise GoldError(f"part must be one of {', '.join(PARTS)}, not {part!r}")
        gold = gold[PARTS.index(part) :: 2]
    name = str(set_name_or_path) + (f" ({part} half)" if part else "")
    return evaluate(gold, predict, limit=limit, set_name=name)
