"""Acceptance tests of the offline analyzer (summarizer.offline).

The seed article is cleaned here with a simple cut (drop "KEEP READING" lines and
everything from "Related Posts") so these tests do not depend on the cleaner; the
analyzer itself only ever sees cleaned text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from summarizer.input.article import Article
from summarizer.offline import (
    ANALYZER_NAME,
    ANALYZER_VERSION,
    MAX_CLAIMS,
    MIN_CLAIMS,
    WORDS_PER_CLAIM,
    analyze,
)
from summarizer.offline.sentences import split_paragraph, split_sentences

REPO = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((REPO / "schemas" / "summary.schema.json").read_text("utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)
BOILERPLATE = ("KEEP READING", "Related Posts", "Museveni", "Gachagua", "Mboweni")


def simple_clean(raw: str) -> str:
    body = raw.split("\nRelated Posts")[0]
    lines = [ln for ln in body.split("\n") if not ln.startswith("KEEP READING")]
    return "\n".join(lines).strip()


@pytest.fixture(scope="module")
def seed(seed_path: Path) -> tuple[Article, dict]:
    text = simple_clean(seed_path.read_text("utf-8"))
    article = Article(text=text, title=text.split("\n", 1)[0])
    return article, analyze(article)


def check_brief(article: Article, brief: dict) -> None:
    """Schema validity plus the cross-references the schema cannot express."""
    errors = sorted(VALIDATOR.iter_errors(brief), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    sids = [s["id"] for s in brief["stakeholders"]]
    cids = [c["id"] for c in brief["key_claims"]]
    assert len(set(sids)) == len(sids) and len(set(cids)) == len(cids)
    assert sids == [f"s{k}" for k in range(1, len(sids) + 1)]
    assert cids == [f"c{k}" for k in range(1, len(cids) + 1)]
    for c in brief["key_claims"]:
        assert c["evidence"] and c["evidence"] in article.text, c
        assert c["claimant"] is None or c["claimant"] in sids, c
    for item in brief["uncertainty"]["items"]:
        assert all(cid in cids for cid in item["claim_ids"]), item
        for cue in item["cues"]:
            assert cue in article.text, cue
    limit = max(MIN_CLAIMS, min(MAX_CLAIMS, len(article.text.split()) // WORDS_PER_CLAIM))
    assert len(brief["key_claims"]) <= limit
    assert len(brief["stakeholders"]) <= 15


def claims_of(text: str) -> tuple[dict[str, str], list[dict]]:
    """Stakeholder names by id and the key claims of ``text``'s checked brief."""
    article = Article(text=text, title=None)
    brief = analyze(article)
    check_brief(article, brief)
    names = {s["id"]: s["name"] for s in brief["stakeholders"]}
    return names, brief["key_claims"]


def claim_for(claims: list[dict], start: str) -> dict:
    """The one claim whose evidence starts with ``start``."""
    [claim] = [c for c in claims if c["evidence"].startswith(start)]
    return claim


def test_constants() -> None:
    assert ANALYZER_NAME == "summarizer-offline"
    assert ANALYZER_VERSION == "1.3.0"


def test_seed_schema_and_grounding(seed: tuple[Article, dict]) -> None:
    article, brief = seed
    check_brief(article, brief)


def test_seed_stakeholders(seed: tuple[Article, dict]) -> None:
    _, brief = seed
    by_name = {s["name"]: s for s in brief["stakeholders"]}
    for name in (
        "Kim Jong Un",
        "Vladimir Putin",
        "Volodymyr Zelensky",
        "Dmitry Peskov",
        "Valeriy Akimenko",
    ):
        assert name in by_name, sorted(by_name)
        assert by_name[name]["type"] == "person"
    assert by_name["Dmitry Peskov"]["role"] == "Kremlin spokesperson"
    assert by_name["Volodymyr Zelensky"]["role"] == "Ukrainian President"
    assert by_name["North Korea"]["type"] == "country"
    # Mentions merge: no separate "Zelensky", "Kim", "Pyongyang" or "North Korean".
    for alias in ("Zelensky", "Kim", "Putin", "Pyongyang", "North Korean", "Moscow"):
        assert alias not in by_name
    minister = [s for s in brief["stakeholders"] if s["role"] == "defense minister"]
    assert minister and minister[0]["type"] == "person"
    assert "South Korea" in minister[0]["name"]


def test_seed_peskov_denial(seed: tuple[Article, dict]) -> None:
    _, brief = seed
    peskov = next(s["id"] for s in brief["stakeholders"] if s["name"] == "Dmitry Peskov")
    claims = [c for c in brief["key_claims"] if c["claimant"] == peskov]
    assert claims, brief["key_claims"]
    claim = claims[0]
    assert claim["certainty"] in ("denied", "disputed")
    assert "dismissed" in claim["evidence"]
    assert claim["attribution"] == "Kremlin spokesperson Dmitry Peskov"
    denials = [i for i in brief["uncertainty"]["items"] if i["kind"] == "denial"]
    assert any(claim["id"] in i["claim_ids"] for i in denials)


def test_seed_attributions(seed: tuple[Article, dict]) -> None:
    _, brief = seed
    attributions = {c["attribution"]: c for c in brief["key_claims"]}
    source = attributions["A military source in Russia’s Far East"]
    assert source["certainty"] == "confirmed" and source["claimant"] is None
    assert "other sources" in attributions
    assert any(c["certainty"] in ("speculative", "reported") for c in brief["key_claims"])


def test_seed_conflicting_troop_numbers(seed: tuple[Article, dict]) -> None:
    _, brief = seed
    items = [i for i in brief["uncertainty"]["items"] if i["kind"] == "conflicting_reports"]
    assert items
    text = " ".join(i["description"] + " " + " ".join(i["cues"]) for i in items)
    assert "3,000 troops" in text
    assert "do not come close" in text
    assert "number" in text
    assert items[0]["claim_ids"]
    kinds = {i["kind"] for i in brief["uncertainty"]["items"]}
    assert {"denial", "anonymous_sourcing", "speculation"} <= kinds
    assert brief["uncertainty"]["overall"] == "high"


def test_seed_no_boilerplate(seed: tuple[Article, dict]) -> None:
    _, brief = seed
    texts = [brief["headline"], brief["summary"]] + [c["evidence"] for c in brief["key_claims"]]
    for t in texts:
        for bad in BOILERPLATE:
            assert bad not in t
    assert brief["headline"] == "The Implications of North Korean Troops Joining Russia in Ukraine"
    n = len(split_paragraph(brief["summary"]))
    assert 2 <= n <= 5
    # Section headings are never summary sentences.
    assert "The Numbers Game" not in brief["summary"]


def test_deterministic(seed: tuple[Article, dict]) -> None:
    article, brief = seed
    assert analyze(article) == brief
    assert json.dumps(analyze(article), sort_keys=True) == json.dumps(brief, sort_keys=True)


def test_headline_without_title() -> None:
    text = (
        "Officials said on Monday that the bridge, which was built in 1932 and carries "
        "40,000 vehicles a day across the river, would close for two years of repairs "
        "starting in March. Drivers were angry."
    )
    brief = analyze(Article(text=text))
    assert brief["headline"] and len(brief["headline"].split()) <= 21
    assert brief["headline"] in text or brief["headline"].rstrip(" …") in text


@pytest.mark.parametrize(
    ("para", "expected"),
    [
        ("Mr. Smith met Dr. Jones at 5 p.m. on Friday. They talked.", 2),
        ("The U.S. economy grew. The U.K. economy shrank.", 2),
        ("He moved to the U.S. in 1990 and stayed.", 1),
        ("John F. Kennedy was elected in 1960. He was 43.", 2),
        ('"We will win," she said. "No doubt about it."', 2),
        ("The deal is under review by the SEC. The firm said nothing.", 2),
        ("Shares rose on Jan. 5 after the report. Analysts were surprised.", 2),
    ],
)
def test_sentence_splitter(para: str, expected: int) -> None:
    assert len(split_paragraph(para)) == expected


def test_headings_detected() -> None:
    text = "Big Title Here\n\nThe first sentence is here. Another one.\n\nA Section\n\nMore text."
    sents = split_sentences(text)
    assert [s.heading for s in sents] == [True, False, False, True, False]
    assert all(text[s.start : s.end] == s.text for s in sents)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n  ",
        "Hello",
        "BREAKING NEWS: THE PRESIDENT SAID THE ECONOMY IS FINE. MARKETS FELL 3% ON MONDAY.",
        "Q: What did you see?\nA: I saw nothing, he said.\nQ: Nothing?\nA: Nothing at all.",
        "a" * 5000,
        "“Unclosed quote, said nobody",
        "The minister, who declined to comment, said that prices may rise. " * 200,
    ],
)
def test_odd_input_never_crashes(text: str) -> None:
    article = Article(text=text)
    brief = analyze(article)
    check_brief(article, brief)


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n").strip()


def _corpus_files(root: Path) -> list[Path]:
    files = sorted((root / "gum-dev" / "articles").glob("*.txt"))
    files += sorted((root / "polnear-train" / "articles").glob("*.txt"))[:25]
    files += sorted((root / "smoke_mixed" / "articles").rglob("*.txt"))
    return files


def test_real_articles_valid_and_grounded(shared_data: Path) -> None:
    files = _corpus_files(shared_data)
    assert files
    for path in files:
        text = _read(path)
        article = Article(text=text, title=text.split("\n", 1)[0][:200] or None, source=str(path))
        brief = analyze(article)
        check_brief(article, brief)
        assert analyze(article) == brief, path


def test_french_and_one_paragraph(shared_data: Path) -> None:
    smoke = shared_data / "smoke_mixed" / "articles"
    for name in ("lemonde_fr.txt", "cnndm_dailymail_kilmarnock.txt"):
        path = smoke / name
        if not path.exists():
            pytest.skip(f"{path} missing")
        article = Article(text=_read(path))
        brief = analyze(article)
        check_brief(article, brief)
        assert brief["summary"]


# Speed is measured in bench/bench_offline.py, not asserted in a timed unit test.


@pytest.mark.parametrize(
    "para",
    [
        "Mr. Smith met Dr. Jones. They talked.",
        "x" * 200 + ". Then the U.S. replied. It is A&B's turn.",
        "The co-op's 'Acme-Corp.' said so. Nobody agreed.",
        "- . Fine. 9. Ten.",
    ],
)
def test_word_before_matches_regex(para: str) -> None:
    """The bounded backward scan finds the same word as the anchored regex it replaces."""
    import re

    from summarizer.offline.sentences import _MAX_WORD, _word_before

    regex = re.compile(r"([A-Za-z&][A-Za-z&.'’-]*)$")
    for k in range(len(para) + 1):
        m = regex.search(para, 0, k)
        want = m.group(1) if m else ""
        if len(want) <= _MAX_WORD:
            assert _word_before(para, k) == want, (para, k)


def test_long_article_is_cut_at_a_break_and_stays_grounded() -> None:
    """Above MAX_ANALYZED_CHARS only the opening is read; evidence still slices the text."""
    from summarizer.offline import MAX_ANALYZED_CHARS

    unit = "Officials said bridge {} will reopen in May. Jane Doe told reporters it was safe.\n"
    late = "Zebulon Quark said the dam would fail. Zebulon Quark repeated it.\n"
    lines = [unit.format(k) for k in range(MAX_ANALYZED_CHARS // len(unit) + 50)]
    text = "".join(lines) + late * 3
    brief = analyze(Article(text=text, title=None))
    check_brief(Article(text=text, title=None), brief)
    assert brief["key_claims"]
    names = [s["name"] for s in brief["stakeholders"]]
    assert "Jane Doe" in names and not any("Quark" in n for n in names)


def test_lexicon_is_data_with_a_version_and_a_reason_per_list() -> None:
    """Every list in data/lexicon.txt says why it exists; a malformed file fails loudly."""
    from importlib import resources

    from summarizer.offline.lexicon import LEXICON_VERSION, parse_lexicon

    raw = resources.files("summarizer.offline").joinpath("data", "lexicon.txt").read_text()
    assert LEXICON_VERSION
    lines = raw.splitlines()
    heads = [k for k, ln in enumerate(lines) if ln.startswith("[")]
    assert len(heads) > 30
    assert all(lines[k + 1].startswith("# ") for k in heads)
    _, lists = parse_lexicon(raw)
    assert "may" in lists["hedges"] and all(lists.values())
    with pytest.raises(ValueError, match=r"lexicon\.txt:2"):
        parse_lexicon("version: 1\n[x] wordz\na b\n")
    with pytest.raises(ValueError, match="version"):
        parse_lexicon("[x] words\na b\n")


PAGE = "\n".join(
    [
        'Home',
        'News',
        'Sport',
        'Weather',
        'We use cookies to improve your experience. Read our privacy policy.',
        'Harbour bridge to close for a year of repairs',
        (
            'The city council said on Monday that the harbour bridge will close in March for '
            'a full year of repairs, after inspectors found corroded cables under the main '
            'span.'
        ),
        (
            'Mayor Ana Lopez told reporters the closure was unavoidable and that ferries '
            'would run every ten minutes while the work goes on, at no extra cost to '
            'passengers.'
        ),
        (
            "Engineers could finish early if the weather holds, the council's chief engineer,"
            ' Tom Reyes, said in a statement, but he warned that the cost may rise.'
        ),
        (
            'The mayor, Ana Lopez, centre, and engineers inspect the cables on Monday. Photo:'
            ' City Council'
        ),
        (
            'Local shops fear the loss of trade, and their association said it expects to ask'
            ' the council for help with rents during the closure.'
        ),
        'Read more: Ferry timetable changes from March...',
        'Sign up for our newsletter',
        'Follow us on Twitter',
        'Home',
        'News',
        'Sport',
        'Weather',
        '',
    ]
)


def test_page_dump_furniture_is_never_quoted() -> None:
    """Menus, notices, captions, teasers and repeated lines carry no claim; prose does."""
    article = Article(text=PAGE.strip(), title=None)
    brief = analyze(article)
    check_brief(article, brief)
    evidence = " ".join(c["evidence"] for c in brief["key_claims"])
    for junk in ("cookies", "Photo:", "Read more", "newsletter", "Follow us", "Home"):
        assert junk not in evidence, junk
    assert "Mayor Ana Lopez told reporters" in evidence
    assert "corroded cables" in evidence


def test_plain_article_has_no_furniture(seed: tuple[Article, dict]) -> None:
    from summarizer.offline.page import furniture

    article, _ = seed
    sentences = split_sentences(article.text)
    flagged = furniture(article.text, sentences)
    assert all(s.heading for s in sentences if s.paragraph in flagged)


def test_hedges_anywhere_in_the_article_are_cues() -> None:
    """Modal, doxastic and conditional cues outside the key claims still reach the brief."""
    article = Article(text=PAGE.strip(), title=None)
    cues = {c.lower() for i in analyze(article)["uncertainty"]["items"] for c in i["cues"]}
    assert {"could", "if", "may", "expects"} <= cues
    assert "will" not in cues  # a plain future is not a hedge


def test_quote_across_sentences_is_one_claim_with_its_speaker() -> None:
    """A quotation split by the sentence splitter keeps one claim and one speaker."""
    text = (
        "The minister spoke on Monday.\n"
        '"We will not pay. Not now, not ever. The fund is empty," the finance minister, '
        "Jo Bloggs, said.\n"
        'She added: "The banks knew. They were warned in May." Markets fell.\n'
    )
    article = Article(text=text, title=None)
    brief = analyze(article)
    check_brief(article, brief)
    names = {s["id"]: s["name"] for s in brief["stakeholders"]}
    by_start = {c["evidence"][:12]: c for c in brief["key_claims"]}
    first = by_start['"We will not']
    assert first["evidence"].endswith("Jo Bloggs, said.")
    assert names[first["claimant"]] == "Jo Bloggs"
    added = by_start["She added: \""]
    assert added["evidence"].endswith('warned in May."')
    assert names[added["claimant"]] == "Jo Bloggs"  # "She" is the person named before
    assert not any(c["evidence"].startswith("Not now") for c in brief["key_claims"])


@pytest.mark.parametrize("verb", ["slammed", "lambasted", "conceded", "tweeted"])
def test_more_speech_verbs_attribute(verb: str) -> None:
    text = f"Senator Ben Carson {verb} that the coverage of his campaign was unfair and biased.\n"
    brief = analyze(Article(text=text, title=None))
    names = {s["id"]: s["name"] for s in brief["stakeholders"]}
    [claim] = brief["key_claims"]
    assert names.get(claim["claimant"]) == "Ben Carson"
