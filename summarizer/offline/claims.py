"""Key claims: who-said-what attributions plus the article's own central assertions.

CandidateClaim is found around speech verbs ("said", "dismissed", "confirmed to ...
that"), "according to X", and quote-then-speaker ('"...," said X'). The source is the
noun phrase before the verb, cut back to the clause it opens; it links to a
stakeholder when it names one, and stays as the article's wording otherwise (so "A
military source in Russia's Far East" keeps its attribution but has no claimant).
Certainty comes from the verb class and hedge words in the reported content.
The shapes around the verb are read in ``sources``, speakers found further away
(apposition chains, a borrowed subject, 'X said.' after a quote) in ``speakers``,
and what a source phrase names in ``claimants``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .claimants import anonymous, resolve
from .entities import Entity, EntityIndex
from .lexicon import (
    EVIDENCE_VERBS,
    HEDGES,
    PRONOUNS_PERSON,
    SOURCE_NOUNS,
    VERB_CERTAINTY,
    cue_alternation,
    phrases,
    word_set,
)
from .sentences import Sentence
from .sources import (
    WORD,
    after_source,
    clause_start,
    same_length_quotes,
    valid_source,
)
from .speakers import (
    colon_speaker,
    content_after,
    inverted_or_apposed,
    plain_subject,
    quote_before,
    shared_subject,
)

_HEDGE_RE = re.compile(r"\b(" + cue_alternation(HEDGES) + r")\b", re.IGNORECASE)
MODAL_HEDGES = frozenset(phrases("modal_hedges"))
_NOUN_LIKE = word_set("noun_like_verbs")
_NEEDS_THAT = word_set("needs_that_verbs")
_LEAD_STRIP = re.compile(
    r"^(?:(?:" + "|".join(sorted(word_set("lead_strip"))) + r")\b[,]?\s+)+", re.IGNORECASE
)
_AUX_TAIL = re.compile(
    r"(?:\s+(?:" + "|".join(sorted(word_set("aux_tail"))) + r"))+$", re.IGNORECASE
)
_BE = word_set("be_forms")
_NEG = word_set("negations")
QUOTE_OPEN = "“\"‘'"
# Determiners that open a descriptive source after the verb ('..., said a Nevada
# Democrat.', 'said one official'): such a source starts lower-case, unlike a name.
@dataclass
class CandidateClaim:
    """One key claim before ids are assigned (the brief's own `Claim` is its JSON form)."""

    sentence: int
    evidence: tuple[int, int]
    content: tuple[int, int]
    verb: str | None
    verb_start: int | None
    attribution: str | None
    source_span: tuple[int, int] | None
    claimant: Entity | None
    certainty: str
    anonymous: bool = False
    cues: list[str] = field(default_factory=list)
    score: float = 0.0
    statement: str = ""


def hedge_cues(text: str) -> list[str]:
    """Hedge words exactly as they appear in ``text`` (deduplicated, in order)."""
    seen: list[str] = []
    for m in _HEDGE_RE.finditer(text):
        cue = m.group(0)
        if cue == "May":
            continue  # the month (or a name), not the modal
        if cue not in seen:
            seen.append(cue)
    return seen


def certainty_of(verb: str, source: str, content: str, anonymous: bool) -> tuple[str, list[str]]:
    base = VERB_CERTAINTY.get(verb.lower(), "claimed")
    cues = hedge_cues(content)
    if base in ("denied", "disputed", "confirmed"):
        return base, cues
    src_words = {w.lower() for w in WORD.findall(source)}
    reportish = bool(src_words & {"report", "reports", "media", "reporting"})
    modal = any(c.lower() in MODAL_HEDGES for c in cues)
    if base == "speculative" or modal:
        if reportish and not modal:
            return "reported", cues
        return "speculative", cues
    if reportish or base == "reported" or anonymous:
        return "reported", cues
    return "claimed", cues


def find_attributions(text: str, sent: Sentence, index: EntityIndex) -> list[CandidateClaim]:
    """All attributed claims in one sentence, in order."""
    out: list[CandidateClaim] = []
    s0, s1 = sent.start, sent.end
    stext = same_length_quotes(sent.text)
    # "according to X, content" / "content, according to X."
    for m in re.finditer(r"\b[Aa]ccording to ([^,.;]{2,80})", stext):
        src_s, src_e = s0 + m.start(1), s0 + m.end(1)
        before = stext[: m.start()].rstrip(" ,")
        if len(before.split()) >= 4:
            content = (s0, s0 + len(before))
        else:
            after = stext[m.end() :].lstrip(" ,")
            content = (s1 - len(after), s1)
        src = text[src_s:src_e]
        claimant = resolve(index, text, (src_s, src_e))
        anon = anonymous(src, claimant)
        cert, cues = certainty_of("report", src, text[content[0] : content[1]], anon)
        out.append(
            CandidateClaim(
                sent.index,
                (s0, s1),
                content,
                "according to",
                s0 + m.start(),
                src,
                (src_s, src_e),
                claimant,
                cert,
                anon,
                cues,
            )
        )
    colon = colon_speaker(stext)
    if colon is not None:
        span = (s0 + colon[0], s0 + colon[1])
        words = WORD.findall(stext[colon[0] : colon[1]])
        if index.in_span(*span) or words[-1].lower() in SOURCE_NOUNS:
            content = (s0 + colon[2], s1)
            who = resolve(index, text, span)
            cert, cues = certainty_of("says", text[span[0] : span[1]], text[content[0] : s1], False)
            out.append(
                CandidateClaim(
                    sent.index, (s0, s1), content, "says", None, text[span[0] : span[1]],
                    span, who, cert, False, cues,
                )
            )
    for m in WORD.finditer(stext):
        verb = m.group(0)
        if verb.lower() not in VERB_CERTAINTY or not verb.islower():
            continue
        vs, ve = s0 + m.start(), s0 + m.end()
        prev = stext[: m.start()].split()
        prev_low = [w.lower().strip(",") for w in prev[-3:]]
        cstart = clause_start(text, s0, vs)
        # Negation only in the verb's own clause: '"It is not over," he said' is said.
        own = [w.lower() for w in text[cstart:vs].split()[-3:]]
        if any(w in _NEG or w.endswith(("n't", "n’t")) for w in own):
            continue
        if prev_low and prev_low[-1] in _BE:
            continue  # passive: "is expected", "was confirmed"
        if prev_low and prev_low[-1] in ("to", "the", "a", "an", "of", "these", "those"):
            continue  # "refusing to confirm", "the claims"
        after = stext[m.end() :]
        low_verb = verb.lower()
        if (
            low_verb in _NEEDS_THAT
            and not re.match(r"(?:\s+to\s+[^,.;]{1,60}?)?\s+that\b", after)
            and not any(q in stext for q in '“”"')
            # '..., he added.': a verb closing the sentence after a comma reports it.
            and not (len(after.split()) <= 2 and text[s0:cstart].rstrip().endswith(","))
        ):
            continue
        src_raw = text[cstart:vs]
        lead = _LEAD_STRIP.match(src_raw.strip())
        src = src_raw.strip()[lead.end() :] if lead else src_raw.strip()
        src = _AUX_TAIL.sub("", " " + src).strip()
        if not WORD.search(src):
            src = ""  # only a closing quote mark or a dash before the verb
        content_span: tuple[int, int] | None = None
        src_span: tuple[int, int] | None = None
        # Quote-then-speaker: '"...," said Rick Egelton, deputy ...' or '"...," he said.'
        head = stext[: m.start()]
        # Also the last sentence of a quotation opened in an earlier one: it closes a
        # quote it never opened ('Not now," the minister said.').
        quote_first = stext.lstrip()[:1] in QUOTE_OPEN or (
            ("”" in head and "“" not in head) or head.count('"') % 2 == 1
        )
        tail_words = WORD.findall(after.split(",")[0].split(".")[0])
        if quote_first and (
            not src
            or text[s0:cstart].rstrip().endswith(("”", '"', "''"))  # '"...," Cruz said in'
            or len(after.strip(' ."”')) < 3
            or (tail_words and tail_words[0][:1].isupper())
            or after_source(after) is not None
        ):
            q_end = max(stext.rfind("”", 0, m.start()), stext.rfind('"', 0, m.start()))
            if q_end > 0:
                content_span = (s0, s0 + q_end + 1)
                between = stext[q_end + 1 : m.start()].strip(" ,")
                if src and (valid_source(src) or plain_subject(src, low_verb)):
                    pos = text.find(src, cstart, vs)
                    src_span = (pos, pos + len(src))
                elif between and valid_source(between):
                    # '"...," the finance minister, Jo Bloggs, said': an apposition.
                    pos = text.find(between, s0 + q_end + 1, vs)
                    src_span = (pos, pos + len(between))
                else:
                    am = after_source(after)
                    if am:
                        src_span = (ve + am.start(1), ve + am.end(1))
        if content_span is None and not src and not low_verb.endswith("ing"):
            # (a participle neither inverts nor follows an apposition: '..., adding X')
            found = inverted_or_apposed(text, stext, s0, m, after)
            if found is not None:
                content_span, src_span = found
        ev0 = s0
        src_end = src.lower().split()[-1] if src else ""
        if content_span is None and (not src or src_end in ("and", "but", "then", "yet")):
            head_text = stext[: m.start()]
            joined = src_end or ("who" if head_text.rstrip().endswith(" who") else "")
            if not joined and low_verb.endswith("ing") and head_text.rstrip().endswith(","):
                joined = "participle"  # 'X sought to calm them, saying ...'
            if not joined and head_text.rstrip().endswith((" -", "—", "–")):
                joined = "dash"
            if joined == "but":
                joined = "and"
            shared = (
                shared_subject(text, head_text, s0, joined)
                if joined
                and low_verb not in EVIDENCE_VERBS
                and low_verb not in _NOUN_LIKE
                # 'X dismissed the claims, labeling them rumors': one claim already.
                and not (out and joined in ("and", "participle"))
                else None
            )
            if shared is None:
                continue
            content_span = content_after(text, ve, after, s1)
            if content_span is None:
                continue
            src_span = shared
        if content_span is None:
            if not src or not (valid_source(src) or plain_subject(src, low_verb)):
                continue
            if low_verb in EVIDENCE_VERBS and not any(
                w.lower() in SOURCE_NOUNS for w in WORD.findall(src)
            ):
                continue  # "police found a body" is no attribution; "the poll found" is
            if any(w in VERB_CERTAINTY and w not in _NOUN_LIKE for w in WORD.findall(src)):
                continue  # "Peskov has dismissed claims": "claims" is a noun here
            if low_verb in _NOUN_LIKE:
                last = WORD.findall(src)[-1]
                pos = text.find(src, cstart, vs)
                named = bool(index.in_span(pos, pos + len(src)))
                if not (
                    named
                    or last.lower() in PRONOUNS_PERSON
                    or last.lower() in ("they", "we", "i", "others")
                ):
                    continue
            pos = text.find(src, cstart, vs)
            src_span = (pos, pos + len(src))
            tm = re.match(
                r"(?:\s+to\s+[^,.;]{1,60}?|\s+[^.;]{1,40}?,\s+(?:stating|saying|adding|"
                r"arguing|claiming|insisting|noting|warning))?\s+that\s+",
                after,
            )
            if tm and len(after[: tm.end()].split()) <= 9:
                c0 = ve + tm.end()
            else:
                c0 = ve + (len(after) - len(after.lstrip(" ,:")))
            c1 = s1
            # "..., Ms Hewitt told GMTV's Sunday programme.": the content precedes.
            before = text[s0:cstart].rstrip(" ,")
            if (
                cstart > s0
                and text[cstart - 1 : cstart] in (",", " ", '"', "”", "'")
                and text[s0:cstart].rstrip().rstrip("\"”'").endswith(",")
                and len(before.split()) >= 5
                and not tm
                and not lead  # "..., while the Liberal Democrats said it was ..."
                and len(after.split()) <= 6
            ):
                c0, c1 = s0, s0 + len(before)
            # Stop at a second attribution in the same sentence ("..., others suggest").
            content = text[c0:c1].rstrip()
            if len(content.split()) < 3:
                # 'Ortega said.' after a quotation the splitter cut at its own '?'.
                q0 = quote_before(text, s0) if len(after.split()) <= 8 else None
                if q0 is None:
                    continue
                c0, ev0, content = q0, q0, text[q0:s0].rstrip()
            content_span = (c0, c0 + len(content))
        if src_span is None:
            continue
        src_text = text[src_span[0] : src_span[1]]
        claimant = resolve(index, text, src_span)
        anon = anonymous(src_text, claimant)
        cert, cues = certainty_of(verb, src_text, text[content_span[0] : content_span[1]], anon)
        out.append(
            CandidateClaim(
                sent.index,
                (ev0, s1),
                content_span,
                verb,
                vs,
                src_text,
                src_span,
                claimant,
                cert,
                anon,
                cues,
            )
        )
    out = _dedupe(out)
    # Several attributions in one sentence: each claim's evidence is its own clause.
    if len(out) > 1:
        out.sort(key=lambda c: c.source_span[0] if c.source_span else 0)
        for k, c in enumerate(out):
            ev_start = c.source_span[0] if c.source_span else s0
            if c.content[0] < ev_start:
                ev_start = c.content[0]
            ev_end = (
                out[k + 1].source_span[0] if k + 1 < len(out) and out[k + 1].source_span else s1
            )
            ev_end = max(ev_end, ev_start + 1)
            seg = text[ev_start:ev_end].rstrip(" ,;")
            c.evidence = (ev_start, ev_start + len(seg))
            if c.content[1] > c.evidence[1] and c.content[0] < c.evidence[1]:
                c.content = (c.content[0], c.evidence[1])
    return out


def _dedupe(claims: list[CandidateClaim]) -> list[CandidateClaim]:
    """Keep one claim per source phrase; a later verb of the same source adds nothing."""
    kept: list[CandidateClaim] = []
    for c in claims:
        if any(k.source_span == c.source_span for k in kept):
            continue
        # "Recent reports suggest": a claim whose source swallows another's verb wins.
        kept = [
            k
            for k in kept
            if not (
                c.source_span
                and k.verb_start is not None
                and c.source_span[0] <= k.verb_start < c.source_span[1]
            )
        ]
        kept.append(c)
    return kept
