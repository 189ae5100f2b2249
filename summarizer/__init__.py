"""summarizer: news articles in, structured and verifiable briefs out.

    from pathlib import Path
    from summarizer import Summarizer

    result = Summarizer().summarize(Path("examples/seed-article.txt"))
    for claim in result.key_claims:
        print(claim["certainty"], claim["evidence"])

The public API is what this module exports; everything else may change. Names are
imported on first use, so ``import summarizer`` stays cheap for the CLI.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Article": "summarizer.input.article",
    "Cache": "summarizer.cache",
    "ArticleError": "summarizer.errors",
    "ArticleTooLong": "summarizer.errors",
    "BudgetExceeded": "summarizer.errors",
    "CacheError": "summarizer.errors",
    "ConfigError": "summarizer.errors",
    "ModelError": "summarizer.errors",
    "OutputError": "summarizer.errors",
    "SummarizerError": "summarizer.errors",
    "TruncatedOutput": "summarizer.errors",
    "article_from_text": "summarizer.input.loader",
    "load_article": "summarizer.input.loader",
    "ItemError": "summarizer.background",
    "Summarizer": "summarizer.pipeline",
    "GenerationOptions": "summarizer.options",
    "TransportOptions": "summarizer.options",
    "BudgetOptions": "summarizer.options",
    "FolderOptions": "summarizer.options",
    "run_folder": "summarizer.batch",
    "Backend": "summarizer.backends",
    "Capabilities": "summarizer.backends",
    "Completion": "summarizer.backends",
    "Request": "summarizer.backends",
    "Brief": "summarizer.output.result",
    "Claim": "summarizer.output.result",
    "Result": "summarizer.output.result",
    "Stakeholder": "summarizer.output.result",
}

__all__ = [
    "Article",
    "ArticleError",
    "ArticleTooLong",
    "Backend",
    "Brief",
    "BudgetExceeded",
    "BudgetOptions",
    "Cache",
    "CacheError",
    "Capabilities",
    "Claim",
    "Completion",
    "ConfigError",
    "FolderOptions",
    "GenerationOptions",
    "ItemError",
    "ModelError",
    "OutputError",
    "Request",
    "Result",
    "Stakeholder",
    "Summarizer",
    "SummarizerError",
    "TransportOptions",
    "TruncatedOutput",
    "__version__",
    "article_from_text",
    "load_article",
    "run_folder",
]

if TYPE_CHECKING:
    from summarizer.backends import Backend, Capabilities, Completion, Request
    from summarizer.background import ItemError
    from summarizer.batch import run_folder
    from summarizer.cache import Cache
    from summarizer.errors import (
        ArticleError,
        ArticleTooLong,
        BudgetExceeded,
        CacheError,
        ConfigError,
        ModelError,
        OutputError,
        SummarizerError,
        TruncatedOutput,
    )
    from summarizer.input.article import Article
    from summarizer.input.loader import article_from_text, load_article
    from summarizer.options import (
        BudgetOptions,
        FolderOptions,
        GenerationOptions,
        TransportOptions,
    )
    from summarizer.output.result import Brief, Claim, Result, Stakeholder
    from summarizer.pipeline import Summarizer


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
