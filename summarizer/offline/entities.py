"""Stakeholder detection: capitalised sequences + title/role lexicons + a gazetteer.

No statistical NER ships without downloading a model, so names are found the way a
careful reader skims: runs of capitalised words, split where a title ("Russian
President") ends and a name begins, typed by a country gazetteer and organisation
head words, and merged across mentions ("Volodymyr Zelensky" ... "President
Zelensky"; "Kim Jong Un" ... "Kim"; "North Korean" ... "Pyongyang").

Metonymy choice: capitals the news uses for governments ("Moscow", "Pyongyang") count
as mentions of the country; seats of government ("Kremlin", "White House") are kept as
separate ``government`` stakeholders, because articles often contrast what "the
Kremlin" says with what happens in "Russia".
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from .lexicon import (
    CAP_STOPWORDS,
    DAYS_MONTHS,
    GOVERNMENT_WORDS,
    GROUP_WORDS,
    NAME_CONNECTORS,
    NAME_TITLES,
    ORG_WORDS,
    PERSON_ONLY_TITLES,
    ROLE_HEADS,
    demonyms,
    gazetteer,
)
from .roles import role_after, role_before
from .sentences import Sentence, headline_index
from .words import Entity, Token, tokenize

_GAP_JOIN = re.compile(r"^[ \t]$")
# Weekdays, unlike months ("Theresa May"), never end a name.
_WEEKDAYS = frozenset(w for w in DAYS_MONTHS if w.endswith("day"))
# How many mentions back "he"/"she" may look for a person.
_PRONOUN_REACH = 200


class EntityIndex:
    """All stakeholders found in one article, with lookup by text span."""

    def __init__(self, text: str, sentences: list[Sentence]) -> None:
        self.text = text
        self.sentences = sentences
        self.entities: list[Entity] = []
        self._by_key: dict[str, Entity] = {}
        # (start, end, entity) for every mention, in text order.
        self.spans: list[tuple[int, int, Entity]] = []
        self._lower_words = set(re.findall(r"\b[a-z][a-z’'-]+\b", text))
        self._gaz = gazetteer()
        self._pending_single: list[tuple[str, int, int, int]] = []
        self._person_single: set[str] = set()
        self._single_roles: dict[str, str] = {}
        self.headline = headline_index(sentences)
        # The words of every scanned sentence (by sentence index), kept for the
        # group scan (``groups.find_groups``) so each sentence is tokenized once.
        self.tokens: dict[int, list[Token]] = {}
        for sent in sentences:
            if (sent.heading and sent.index != self.headline) or self._shouting(sent.text):
                continue
            self._scan_sentence(sent)
        self._resolve_singles()
        self.spans.sort(key=lambda x: (x[0], x[1]))
        # Span starts, kept in step with ``spans`` so lookups bisect instead of scan.
        self._starts = [s for s, _e, _ent in self.spans]

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _shouting(s: str) -> bool:
        letters = sum(map(str.isalpha, s))
        return letters > 0 and sum(map(str.isupper, s)) > 0.6 * letters

    def _entity(self, key: str, name: str, etype: str) -> Entity:
        ent = self._by_key.get(key)
        if ent is None:
            ent = Entity(name=name, type=etype)
            self._by_key[key] = ent
            self.entities.append(ent)
        return ent

    def _mention(self, ent: Entity, start: int, end: int, sent: int) -> None:
        ent.add(start, end, sent)
        self.spans.append((start, end, ent))

    def _gap(self, a: Token, b: Token) -> str:
        return self.text[a.end : b.start]

    # ------------------------------------------------------------------ scanning
    def _sequences(self, tokens: list[Token]) -> list[list[Token]]:
        """Group tokens into runs of capitalised words joined by single spaces."""
        seqs: list[list[Token]] = []
        cur: list[Token] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            joinable = cur and _GAP_JOIN.match(self._gap(cur[-1], tok) or "") is not None
            joinable = bool(joinable) and not cur[-1].poss
            if tok.cap:
                if cur and not joinable:
                    seqs.append(cur)
                    cur = []
                cur.append(tok)
            elif (
                cur
                and joinable
                and tok.text in NAME_CONNECTORS
                # "the" joins only after "of"/"for" ("Church of the Nazarene"); "See
                # the LibriVox" is a verb and a name.
                and (tok.text != "the" or cur[-1].text in ("of", "for"))
                and i + 1 < len(tokens)
                and tokens[i + 1].cap
                and _GAP_JOIN.match(self._gap(tok, tokens[i + 1]))
            ):
                cur.append(tok)
            elif tok.text == "and" and cur and joinable and i + 1 < len(tokens):
                # "Trade and Industry Secretary" joins; "Moscow and Pyongyang" does not.
                j = i + 1
                rest = []
                while j < len(tokens) and tokens[j].cap:
                    rest.append(tokens[j].text.lower())
                    j += 1
                if rest and any(w in ORG_WORDS or w in ROLE_HEADS for w in rest):
                    cur.append(tok)
                else:
                    seqs.append(cur)
                    cur = []
            else:
                if cur:
                    seqs.append(cur)
                    cur = []
            i += 1
        if cur:
            seqs.append(cur)
        return seqs

    def _scan_sentence(self, sent: Sentence) -> None:
        tokens = tokenize(self.text, sent.start, sent.end)
        self.tokens[sent.index] = tokens
        if not tokens:
            return
        first_start = tokens[0].start
        for seq in self._sequences(tokens):
            # Strip sentence-initial function words and common words that are only
            # capitalised because they open the sentence.
            while seq and (
                seq[0].text.lower() in CAP_STOPWORDS
                or (
                    seq[0].start == first_start
                    and seq[0].text.lower() in self._lower_words
                    and self._gaz_prefix(seq) is None  # "North Korea puts ..."
                    and seq[0].text.lower() not in NAME_TITLES
                )
                or seq[0].text in NAME_CONNECTORS
            ):
                seq = seq[1:]
            # Connectors, and a dateline's weekday ("Robert Sarvis Saturday, ...").
            while seq and (seq[-1].text in NAME_CONNECTORS or seq[-1].text.lower() in _WEEKDAYS):
                seq = seq[:-1]
            if seq:
                self._classify(seq, tokens, sent)

    def _gaz_prefix(self, seq: list[Token]) -> tuple[int, str, str] | None:
        """Longest gazetteer match at the start of ``seq``: (length, name, type)."""
        for n in range(min(len(seq), 5), 0, -1):
            surface = self.text[seq[0].start : seq[n - 1].end]
            hit = self._gaz.get(surface)
            if hit:
                return n, hit[0], hit[1]
        return None

    def _classify(self, seq: list[Token], tokens: list[Token], sent: Sentence) -> None:
        i = 0
        role_start: int | None = None
        has_title = False
        person_title = False
        # Leading gazetteer items and capitalised titles form the role ("Russian
        # President"); what follows is the name.
        while i < len(seq):
            hit = self._gaz_prefix(seq[i:])
            if hit:
                n, name, etype = hit
                ent = self._entity(name, name, etype)
                self._mention(ent, seq[i].start, seq[i + n - 1].end, sent.index)
                if role_start is None:
                    role_start = seq[i].start
                i += n
                if seq[i - 1].poss:
                    break
                continue
            low = seq[i].text.lower().rstrip(".")
            if low in NAME_TITLES and i + 1 < len(seq):
                if role_start is None:
                    role_start = seq[i].start
                has_title = has_title or low not in PERSON_ONLY_TITLES
                person_title = person_title or low in PERSON_ONLY_TITLES
                i += 1
                continue
            break
        # A title deeper in the run: "Trade and Industry Secretary Patricia Hewitt".
        for k in range(len(seq) - 2, i - 1, -1):
            if seq[k].text.lower() in NAME_TITLES and not seq[k].poss:
                if role_start is None:
                    role_start = seq[i].start
                has_title = True
                i = k + 1
                break
        name_toks = seq[i:]
        while name_toks and name_toks[0].text in NAME_CONNECTORS:
            name_toks = name_toks[1:]  # "Secretary of State": no name follows
        if len(name_toks) == 1 and name_toks[0].text.lower() in ORG_WORDS:
            # "Interior Ministry", "Defense Department": the title words name the body.
            j = i
            while j > 0 and seq[j - 1].text.lower() in NAME_TITLES and not seq[j - 1].poss:
                j -= 1
            if j < i:
                name_toks = seq[j:]
                role_start, has_title = None, False
        if not name_toks or (has_title and len(name_toks) == 1 and i < len(seq) - 1):
            return
        if len(name_toks) == 1 and (
            name_toks[0].text.lower() in self._lower_words
            or name_toks[0].text.lower().rstrip("s") in ROLE_HEADS
        ):
            return  # "General Election", "Commanders": common words, not names
        if seq[i - 1].poss if i else False:
            # "Russia’s Far East": the country was the owner, the rest is another thing.
            role_start, has_title = None, False
        words = [t.text.lower() for t in name_toks]
        surface = self.text[name_toks[0].start : name_toks[-1].end]
        start, end = name_toks[0].start, name_toks[-1].end
        gaz_key = surface if surface in self._gaz else surface[:-1]
        if gaz_key != surface and gaz_key in demonyms() and surface.endswith("s"):
            # "Bangladeshis", "Israelis": a country's people are a group, not its state.
            self._mention(self._entity(surface, surface, "group"), start, end, sent.index)
            return
        if gaz_key in self._gaz and (gaz_key == surface or surface.endswith("s")):
            name, etype = self._gaz[gaz_key]
            self._mention(self._entity(name, name, etype), start, end, sent.index)
            return
        if any(w in ORG_WORDS for w in words) or any(w in GROUP_WORDS for w in words):
            if any(w in GROUP_WORDS for w in words):
                etype = "group"
            elif any(w in GOVERNMENT_WORDS for w in words):
                etype = "government"
            else:
                etype = "organization"
            k = seq.index(name_toks[0])
            if k and seq[k - 1].text in demonyms() and not seq[k - 1].poss:
                # "Greek Orthodox Church", "Indonesian Navy": the nationality is part
                # of the body's name (the country keeps its own mention).
                start = seq[k - 1].start
                surface = self.text[start:end]
            self._mention(self._entity(surface, surface, etype), start, end, sent.index)
            return
        if all(t.text.lower() in DAYS_MONTHS for t in name_toks):
            return
        if name_toks[0].text.isupper() and len(name_toks[0].text) >= 2 and len(name_toks) > 1:
            # "BBC Russian", "MIT Media Lab": an acronym-led name is an organisation.
            self._mention(self._entity(surface, surface, "organization"), start, end, sent.index)
            return
        if (
            len(name_toks) == 1
            and name_toks[0].text.isupper()
            and len(surface) >= 2
            and not has_title
            and not person_title
        ):
            self._mention(self._entity(surface, surface, "organization"), start, end, sent.index)
            return
        role = None
        if role_start is not None and (has_title or person_title):
            role = self.text[role_start:start].strip() or None
            if role and role.lower().rstrip(".") in PERSON_ONLY_TITLES:
                role = None
        lower_role = role_before(self.text, tokens, name_toks[0])
        if lower_role and not role:
            role = lower_role
        is_person = bool(role) or person_title or has_title
        if not role:
            role = role_after(self.text, name_toks[-1], sent)
            is_person = is_person or bool(role)
        if len(name_toks) == 1:
            self._pending_single.append((surface, start, end, sent.index))
            if is_person:
                self._person_single.add(surface)
                if role:
                    self._single_roles.setdefault(surface, role)
            return
        ent = self._entity("P:" + surface, surface, "person" if is_person else "name")
        if is_person:
            ent.type = "person"
        if role and not ent.role:
            ent.role = role
        self._mention(ent, start, end, sent.index)

    # --------------------------------------------------------------- resolution
    def _resolve_singles(self) -> None:
        """Attach one-word mentions to a full name ("Zelensky", "Kim") or keep them."""
        people = [e for e in self.entities if e.type in ("person", "name") and " " in e.name]
        # First person with that last (else first) name, as a dict: one lookup each.
        by_last: dict[str, Entity] = {}
        by_first: dict[str, Entity] = {}
        for e in people:
            parts = e.name.split()
            by_last.setdefault(parts[-1], e)
            by_first.setdefault(parts[0], e)
        # A word capitalised only where every word is (a sentence's first: "Estimates
        # suggest ...", "Six shells hit ...") gives no evidence of being a name.
        opening = {s.start for s in self.sentences}
        mid_sentence = {
            surface for surface, start, *_ in self._pending_single if start not in opening
        }
        for surface, start, end, sent in self._pending_single:
            target = by_last.get(surface) or by_first.get(surface)
            if target is not None:
                target.type = "person"
                self._mention(target, start, end, sent)
                continue
            etype = "person" if surface in self._person_single else "other"
            if etype == "other" and surface not in mid_sentence:
                continue
            ent = self._entity("S:" + surface, surface, etype)
            if etype == "person":
                ent.type = "person"
                ent.role = ent.role or self._single_roles.get(surface)
            self._mention(ent, start, end, sent)
        # Multi-word names that were never given person evidence stay "other".
        for e in self.entities:
            if e.type == "name":
                e.type = "other"

    # ------------------------------------------------------------------ lookup
    def in_span(self, start: int, end: int) -> list[Entity]:
        """Entities mentioned inside ``[start, end)``, in text order."""
        out: list[Entity] = []
        for k in range(bisect_left(self._starts, start), len(self.spans)):
            s, e, ent = self.spans[k]
            if s >= end:
                break
            if e <= end and ent not in out:
                out.append(ent)
        return out

    def last_person_before(self, pos: int) -> Entity | None:
        """The most recently mentioned person before ``pos`` (for "he"/"she").

        Looks back at most ``_PRONOUN_REACH`` mentions: a referent further back is a
        guess anyway, and the bound keeps long articles linear.
        """
        k = bisect_left(self._starts, pos)
        for j in range(k - 1, max(-1, k - 1 - _PRONOUN_REACH), -1):
            ent = self.spans[j][2]
            if ent.type == "person":
                return ent
        return None

    def role_only_person(self, start: int, end: int, phrase: str, sent: int) -> Entity:
        """A person known only by role: "South Korea’s defense minister"."""
        words = phrase.split()
        role = phrase
        for k, w in enumerate(words):
            if w.endswith(("’s", "'s")):
                role = " ".join(words[k + 1 :])
        name = phrase[0].upper() + phrase[1:] if phrase[:4].lower() != "the " else phrase[4:]
        ent = self._entity("R:" + name.lower(), name, "person")
        ent.role = ent.role or role or None
        ent.add(start, end, sent)
        k = bisect_right(self._starts, start)
        self._starts.insert(k, start)
        self.spans.insert(k, (start, end, ent))
        return ent


def build_index(text: str, sentences: list[Sentence]) -> EntityIndex:
    """Find the stakeholder candidates of one article."""
    return EntityIndex(text, sentences)
