"""Word lists the rule-based analyzer reasons with, plus the country gazetteer loader.

The lists themselves are data, in ``data/lexicon.txt`` (versioned, each list with a
line saying why it exists) and ``data/gazetteer.json``; they are read once at import,
so tuning the analyzer means editing lists, not code. Lowercase unless they say
otherwise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources


def _data(name: str) -> str:
    return resources.files("summarizer.offline").joinpath("data", name).read_text("utf-8")


def parse_lexicon(raw: str) -> tuple[str, dict[str, tuple[str, ...]]]:
    """``(version, {section: entries})`` from the ``lexicon.txt`` format (see its header).

    Raises ValueError naming the line on a malformed file, so a bad edit fails at import.
    """
    version = ""
    sections: dict[str, tuple[str, ...]] = {}
    name, kind, entries = "", "", []  # type: ignore[var-annotated]
    for no, line in enumerate(raw.splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("version:"):
            version = text.split(":", 1)[1].strip()
        elif text.startswith("["):
            if name:
                sections[name] = tuple(entries)
            head, _, kind = text.partition("]")
            name, kind, entries = head[1:], kind.strip(), []
            if kind not in ("words", "phrases") or name in sections:
                raise ValueError(f"lexicon.txt:{no}: bad or repeated section header {text!r}")
        elif not name:
            raise ValueError(f"lexicon.txt:{no}: entry before any [section]")
        else:
            entries += text.split() if kind == "words" else [text]
    if name:
        sections[name] = tuple(entries)
    if not version:
        raise ValueError("lexicon.txt: no 'version:' line")
    return version, sections


LEXICON_VERSION, _LISTS = parse_lexicon(_data("lexicon.txt"))


def cue_alternation(cues: Iterable[str]) -> str:
    """A regex (no group) matching any of ``cues``, longest first; compile IGNORECASE.

    Why not ``"|".join(cues)``: Python's regex engine tries every alternative at every
    position, so a list of a few hundred phrases cost milliseconds per article. The
    same phrases as a character trie ("may(?: be)?") are tried one character at a
    time; the greedy optional parts find the longest cue the trailing boundary allows,
    which is what the longest-first alternation found.
    """
    trie: dict[str, dict] = {}
    for cue in cues:
        node = trie
        for ch in cue.lower():
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def word_set(section: str) -> frozenset[str]:
    """A words section as a set (KeyError for a section the data file lacks)."""
    return frozenset(_LISTS[section])


def phrases(section: str) -> tuple[str, ...]:
    """A phrases section, in file order."""
    return _LISTS[section]


ROLE_HEADS = word_set("role_heads")
ROLE_MODIFIERS = word_set("role_modifiers")
NAME_TITLES = word_set("name_titles")
PERSON_ONLY_TITLES = word_set("person_only_titles")
ORG_WORDS = word_set("org_words")
GOVERNMENT_WORDS = word_set("government_words")
GROUP_WORDS = word_set("group_words")
NAME_CONNECTORS = word_set("name_connectors")
CAP_STOPWORDS = word_set("cap_stopwords")
DAYS_MONTHS = word_set("days_months")
PRONOUNS_PERSON = word_set("pronouns_person")
PRONOUNS_OTHER = word_set("pronouns_other")
# Speech / attribution verbs, each with the certainty an attributed claim gets.
VERB_CERTAINTY: dict[str, str] = {
    w: cert
    for cert in ("claimed", "speculative", "reported", "confirmed", "denied", "disputed")
    for w in _LISTS["verbs_" + cert]
} | {w: "reported" for w in _LISTS["verbs_evidence"]}
EVIDENCE_VERBS = word_set("verbs_evidence")
SOURCE_NOUNS = word_set("source_nouns")
ANONYMOUS_MARKERS = word_set("anonymous_markers")
HEDGES = phrases("hedges")
REPORTED_CUES = phrases("reported_cues")
UNVERIFIED_CUES = phrases("unverified_cues")
DENIAL_CUES = phrases("denial_cues")
CONFLICT_CUES = phrases("conflict_cues")
MISSING_CUES = phrases("missing_cues")
QUANTITY_WORDS = word_set("quantity_words")
SUMMARY_STOPWORDS = word_set("summary_stopwords")
MEDIA_WORDS = word_set("media_words")
MEDIA_OUTLETS = word_set("media_outlets")


def is_media(name: str) -> bool:
    """A news outlet or agency ("ABC News", "Yonhap", "the Sydney Morning Herald").

    Why: an outlet cited for a report is how the article knows, not who it is about;
    such claims keep the outlet as their attribution text, with no claimant.
    """
    words = name.lower().split()
    return name in MEDIA_OUTLETS or any(w in MEDIA_WORDS for w in words[1:] or words)


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, tuple[str, str]]:
    """Map every surface form to ``(canonical name, stakeholder type)``.

    Surface forms are case-sensitive: "US" is the country, "us" is a pronoun.
    """
    raw = _gazetteer_data()
    table: dict[str, tuple[str, str]] = {}
    for section, kind in (("countries", "country"), ("groups", "organization")):
        for name, forms in raw[section].items():
            table[name] = (name, kind)
            for key in ("aliases", "demonyms", "metonyms"):
                for form in forms[key]:
                    table[form] = (name, kind)
    for name in raw["governments"]:
        table[name] = (name, "government")
    return table


@lru_cache(maxsize=1)
def demonyms() -> frozenset[str]:
    """Every demonym of the gazetteer ("Indian", "Bangladeshi"), case-sensitive."""
    countries = _gazetteer_data()["countries"]
    return frozenset(d for forms in countries.values() for d in forms["demonyms"])


@lru_cache(maxsize=1)
def _gazetteer_data() -> dict:
    """``gazetteer.json`` parsed once for both views of it above."""
    return json.loads(_data("gazetteer.json"))
