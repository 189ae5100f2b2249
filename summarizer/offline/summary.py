"""Extractive headline and summary: lead plus the most central sentences.

Extractive on purpose: a rule-based analyzer cannot paraphrase safely, and copied
sentences can never add facts the article does not state.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from .lexicon import SUMMARY_STOPWORDS as _STOP
from .sentences import Sentence

_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]+")
_QUOTE_OPEN = "“\"‘'"


def _content_words(s: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(s) if w.lower() not in _STOP and len(w) > 2]


def _usable(s: Sentence) -> bool:
    n = len(s.text.split())
    return (
        not s.heading
        and 6 <= n <= 60
        and not s.text.rstrip().endswith("?")
        and s.text.lstrip()[:1] not in _QUOTE_OPEN
    )


def headline(title: str | None, sentences: list[Sentence]) -> str:
    """The title line when there is one, else the lead sentence cut to ~20 words."""
    if title and title.strip():
        return " ".join(title.split())
    if sentences and sentences[0].heading and len(sentences[0].text.split()) >= 3:
        return sentences[0].text
    lead = next((s for s in sentences if not s.heading), None)
    if lead is None:
        return "Untitled article"
    words = lead.text.split()
    if len(words) <= 20:
        return lead.text
    cut = " ".join(words[:20])
    comma = cut.rfind(",")
    if comma > 40:
        return cut[:comma]
    return cut + " …"


def summarize(sentences: list[Sentence], title: str | None, max_sentences: int = 4) -> str:
    """Lead sentence plus the sentences that share most vocabulary with the article.

    Centrality is the mean log-frequency of a sentence's content words (title words
    count double); a mild position prior favours the first paragraphs, as news does.
    """
    usable = [s for s in sentences if _usable(s)]
    if not usable:
        body = [s for s in sentences if not s.heading] or sentences
        return " ".join(s.text for s in body[:2])[:600] if body else ""
    freq = Counter(w for s in usable for w in _content_words(s.text))
    title_words = set(_content_words(title or (sentences[0].text if sentences else "")))
    scored = []
    for rank, s in enumerate(usable):
        ws = _content_words(s.text)
        if not ws:
            continue
        cent = sum(math.log1p(freq[w]) * (2 if w in title_words else 1) for w in ws)
        cent /= math.sqrt(len(ws))
        if re.match(r"(?i)\s*(it|this|that|these|they|he|she|such)\b", s.text):
            cent *= 0.7  # needs its antecedent to make sense
        scored.append((cent / (1 + 0.04 * rank), s))
    n = 3 if len(usable) < 25 else max_sentences
    chosen = [usable[0]]
    for _, s in sorted(scored, key=lambda x: (-x[0], x[1].index)):
        if len(chosen) >= n:
            break
        if s in chosen:
            continue
        if sum(len(c.text.split()) for c in chosen) + len(s.text.split()) > 120:
            continue
        chosen.append(s)
    chosen.sort(key=lambda s: s.index)
    return " ".join(s.text for s in chosen)
