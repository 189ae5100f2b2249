"""Scoring briefs against human annotations (``docs/eval.md`` explains every rule).

Not part of the summarizing core: nothing in the pipeline imports it. Modules, one
step each: ``gold`` (the gold format and loader), ``corpora`` and ``sets`` (converters
from real corpora, named sets, where their data comes from), ``textmatch`` (finding a
quote again), ``matching`` (name, cue and ROUGE-L rules), ``scoring`` (counts per
article), ``report`` (rates and the table), ``runner`` (what ``summarizer eval`` runs).
"""

from __future__ import annotations

from .corpora import gum_gold, polnear_gold
from .gold import GoldArticle, GoldError, load_gold
from .report import EvalReport, Metric, format_table
from .runner import PARTS, evaluate, run_eval
from .scoring import score_article
from .sets import BUILTIN_SETS, boilerplate_gold, builtin_gold, factbank_gold, seed_gold_path

__all__ = [
    "BUILTIN_SETS",
    "PARTS",
    "EvalReport",
    "GoldArticle",
    "GoldError",
    "Metric",
    "boilerplate_gold",
    "builtin_gold",
    "evaluate",
    "factbank_gold",
    "format_table",
    "gum_gold",
    "load_gold",
    "polnear_gold",
    "run_eval",
    "score_article",
    "seed_gold_path",
]
