"""Name, cue and summary comparison rules (``docs/eval.md``: name matching, cues, ROUGE-L).

Kept apart from scoring because they are the rules a reader checks against the
docs, and because tests pin them one by one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from .gold import GoldAttribution, GoldEntity

# ------------------------------------------------------------------- name matching

def _wordset(words: str) -> frozenset[str]:
    """Whitespace-separated word list as a set (keeps long lists readable)."""
    return frozenset(words.split())


_STOPWORDS = _wordset(
    """the a an of and or in on at for to from by with 's s de del la le von van der"""
)
_PRONOUNS = _wordset(
    """i me my we us our you your he him his she her they them their it its this that
    these those who one"""
)
_FIRST_PERSON = _wordset("i me my we us our")
# Titles and roles that precede a name; dropped before comparing person names.
_TITLES = _wordset(
    """mr mrs ms mx dr prof professor president vice prime minister sen senator rep
    representative gov governor secretary gen general col lt sgt capt adm chancellor
    king queen prince princess pope rev sir dame lord lady judge justice mayor
    spokesperson spokesman spokeswoman leader chief chairman chairwoman ceo founder
    attorney ambassador commander premier"""
)
# Words too generic to identify an entity on their own ("Department" must not match
# "State Department", "North" must not match "North Korea").
_GENERIC = _wordset(
    """department ministry party government office council committee house university
    college school news times post press campaign group association agency service
    services forces force army military state states people church center centre
    foundation court bank union commission administration company corporation corp inc
    ltd co organization organisation institute national international federal world
    united new north south east west northern southern eastern western central
    officials official sources source experts expert analysts report reports media
    team staff members member city country region"""
)


def name_tokens(name: str) -> list[str]:
    """Lower-case word tokens, accents and possessives removed, leading article dropped."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['\u2019]s\b", "", text.lower())
    tokens = re.findall(r"[^\W_]+", text)
    while tokens and tokens[0] in ("the", "a", "an"):
        tokens = tokens[1:]
    return tokens


def _contains(longer: list[str], shorter: list[str]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _distinctive(tokens: Iterable[str]) -> bool:
    return any(t not in _GENERIC and t not in _TITLES and t not in _STOPWORDS for t in tokens)


def names_match(a: str, b: str) -> bool:
    """Whether two names plausibly denote the same entity.

    Rules, on :func:`name_tokens` (case, punctuation, accents, possessives, leading
    article ignored): equal; or, with titles dropped ("President Zelensky"), one is a
    contiguous run of the other's tokens ("Putin" / "Vladimir Putin", "Kim" / "Kim Jong
    Un") provided the run has a distinctive, non-generic word; or same last name and
    same first name or initial ("Hillary Clinton" / "Hillary Rodham Clinton").
    """
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    sa = [t for t in ta if t not in _TITLES] or ta
    sb = [t for t in tb if t not in _TITLES] or tb
    if sa == sb:
        return _distinctive(sa)
    shorter, longer = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    if _contains(longer, shorter) and _distinctive(shorter):
        return True
    return (
        len(sa) >= 2
        and len(sb) >= 2
        and sa[-1] == sb[-1]
        and sa[-1] not in _GENERIC
        and len(sa[-1]) >= 3
        and (sa[0] == sb[0] or (min(len(sa[0]), len(sb[0])) == 1 and sa[0][0] == sb[0][0]))
    )


def token_overlap(a: str, b: str) -> float:
    """Share of ``a``'s content words found in ``b`` (0 when they share only generic words).

    Used for attribution sources, which are often descriptions ("a military source in
    Russia's Far East") or whole clauses (GUM: "Jeff Rathke, the State Department
    Spokesperson, said,") rather than names.
    """
    ta = {t for t in name_tokens(a) if t not in _STOPWORDS and t not in _PRONOUNS}
    tb = {t for t in name_tokens(b) if t not in _STOPWORDS and t not in _PRONOUNS}
    shared = ta & tb
    if not ta or not _distinctive(shared):
        return 0.0
    return len(shared) / len(ta)


def entity_matches(name: str, entity: GoldEntity) -> bool:
    """A predicted stakeholder name against a gold entity's name and aliases."""
    return any(names_match(name, candidate) for candidate in entity.names)


def claimant_matches(pred_names: Sequence[str], gold: GoldAttribution) -> bool:
    """Whether a claim's claimant agrees with a gold attribution's source.

    ``pred_names`` are the claimant stakeholder's name and the claim's own attribution
    text; empty means the article itself asserts the claim (null claimant and null
    attribution). A null gold source
    (the author's own assertion) matches only a null claimant; a first-person source
    ("I", "we") also matches a null claimant, since in news and opinion text that is
    usually the author. A source that is nothing but pronouns ("he", "they") cannot be
    resolved without coreference, so any named claimant is accepted (lenient, stated in
    docs/eval.md). Otherwise a name must match the source or an alias by
    :func:`names_match`, or share at least half its content words (:func:`token_overlap`).
    """
    if gold.source is None:
        return not pred_names
    source_tokens = name_tokens(gold.source)
    if not pred_names:
        return bool(source_tokens) and all(t in _FIRST_PERSON for t in source_tokens)
    if source_tokens and all(t in _PRONOUNS for t in source_tokens):
        return True
    for name in pred_names:
        for candidate in (gold.source, *gold.source_aliases):
            if names_match(name, candidate) or token_overlap(name, candidate) >= 0.5:
                return True
    return False


# ------------------------------------------------------------------- other metrics


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Longest common subsequence length, O(len(a)*len(b)) time, O(len(b)) memory."""
    if not a or not b:
        return 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(candidate: str, reference: str) -> tuple[float, float, float]:
    """ROUGE-L ``(precision, recall, F1)`` on lower-cased word tokens (no stemming).

    Summary-level LCS over the whole text (not per-sentence union LCS): the briefs'
    summaries are 2-5 sentences, where the difference is small, and this keeps the
    definition one line long. F1 is the balanced F (beta = 1).
    """
    cand, ref = _words(candidate), _words(reference)
    lcs = lcs_length(cand, ref)
    if lcs == 0:
        return 0.0, 0.0, 0.0
    precision, recall = lcs / len(cand), lcs / len(ref)
    return precision, recall, 2 * precision * recall / (precision + recall)


def _stem(token: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    return token


def cues_match(predicted: str, gold: str) -> bool:
    """Hedge cues match when their crudely stemmed word sequences agree or one contains
    the other ("suggest" / "suggests", "highly likely" / "likely" / "is highly likely")."""
    a = [_stem(t) for t in _words(predicted)]
    b = [_stem(t) for t in _words(gold)]
    if not a or not b:
        return False
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return _contains(longer, shorter)
