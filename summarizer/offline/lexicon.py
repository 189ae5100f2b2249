"""Word lists the rule-based analyzer reasons with, plus the country gazetteer loader.

Kept in one place so that tuning the analyzer against the dev corpora means editing
lists, not code. Lists are lowercase unless they say otherwise.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


def words(spec: str) -> frozenset[str]:
    """A word set written as one whitespace-separated string, for readable lists."""
    return frozenset(spec.split())


# Head nouns of a role or title; a role phrase must contain one of these.
ROLE_HEADS = words(
    """president president-elect premier minister secretary chancellor spokesperson
    spokesman spokeswoman leader chairman chairwoman chair director head chief executive
    ceo cfo coo founder official officer ambassador envoy governor mayor senator
    congressman congresswoman representative lawmaker mp mep judge justice prosecutor
    attorney lawyer general commander admiral colonel captain sergeant lieutenant major
    king queen prince princess emperor pope cardinal bishop archbishop imam rabbi
    professor researcher scientist economist analyst strategist expert correspondent
    editor reporter journalist manager coach boss owner chairperson adviser advisor
    councillor councilor commissioner inspector superintendent sheriff dean principal
    president's candidate nominee dictator ruler monarch deputy vice-president
    vice-chairman chief-of-staff negotiator diplomat activist campaigner author
    presenter producer actor singer striker midfielder defender goalkeeper captain
    player"""
)
# Words that may modify a role head ("deputy chief", "foreign minister").
ROLE_MODIFIERS = words(
    """former deputy vice acting interim assistant associate senior junior chief executive
    prime foreign defense defence interior home finance economy economic trade industry
    health education justice environment energy transport culture sports sport
    agriculture labour labor security intelligence military national state federal
    regional local general managing press communications political team club party
    opposition government white house kremlin first lord supreme high top leading
    co-founder co principal lead"""
)
# Capitalised titles that precede a personal name ("President Zelensky", "Mr Hewitt").
NAME_TITLES = words(
    """mr mrs ms mx dr prof professor president vice premier chancellor minister
    secretary senator sen rep representative governor gov mayor judge justice general gen
    gen. colonel col captain capt lieutenant lt admiral sergeant sgt king queen prince
    princess pope cardinal bishop archbishop rev reverend sir dame lord lady sheikh
    ayatollah chairman chief commissioner ambassador deputy foreign defence defense prime
    finance interior home former acting commander emperor president-elect"""
)
PERSON_ONLY_TITLES = words("mr mrs ms mx dr prof sir dame rev sheikh")

# A capitalised sequence containing one of these is an organisation.
ORG_WORDS = words(
    """ministry party centre center council university college institute institution
    commission agency bank group company corporation corp inc ltd plc llc co association
    union committee court parliament congress senate assembly army navy force forces
    police department office service services federation league club organisation
    organization foundation fund board authority news times post network agency
    bureau administration government cabinet airlines airways motors industries
    holdings partners capital press media broadcasting telegraph guardian herald journal
    tribune daily school hospital church commission coalition alliance movement front
    brigade brigades guard guards command council's reserve exchange securities trust
    society academy laboratory laboratories lab labs studio studios records museum
    foundation's observatory"""
)
GOVERNMENT_WORDS = words(
    """ministry government cabinet parliament congress senate department administration
    kremlin treasury"""
)
GROUP_WORDS = words(
    """movement front brigade brigades rebels militia militias taliban hamas hezbollah
    isis isil al-qaeda al-shabab houthis houthi"""
)
# Lowercase connectors allowed inside a capitalised name ("Bank of England").
NAME_CONNECTORS = words("of for the de du des la le van von der den bin al da di y")

# Capitalised words that start sentences but never start a name.
CAP_STOPWORDS = words(
    """the a an this that these those in on at for but and or if when while as after
    before despite however such it he she they we i you his her their our its both some
    many most other others meanwhile also furthermore moreover although though since
    with without from to by of under over recent last next there here what which who why
    how where all any each every no not one two three several few more less yet so then
    thus still even only just now today yesterday tomorrow monday tuesday wednesday
    thursday friday saturday sunday january february march april may june july august
    september october november december mr mrs ms dr sir according because unlike like
    during among between into onto upon than via per amid around within western eastern
    northern southern"""
)
DAYS_MONTHS = words(
    """monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december"""
)

PRONOUNS_PERSON = words("he she")
PRONOUNS_OTHER = words("they it we i")

# Speech / attribution verbs, each with the certainty an attributed claim gets.
VERB_CERTAINTY: dict[str, str] = {}
for _forms, _cert in [
    (
        "say says said saying tell tells told telling state states stated stating assert "
        "asserts asserted asserting claim claims claimed claiming insist insists insisted "
        "argue argues argued arguing add adds added explain explains explained note notes "
        "noted announce announces announced allege alleges alleged accuse accuses accused "
        "echo echoes echoed echoing label labels labelled labeled labelling labeling "
        "maintain maintains maintained stress stresses stressed write writes wrote "
        "describe describes described call calls called urge urges urged praise praised "
        "praises criticise criticised criticize criticized charge charges charged "
        "contend contends contended declare declares declared testify testified "
        "acknowledge acknowledges acknowledged admit admits admitted",
        "claimed",
    ),
    (
        "warn warns warned warning suggest suggests suggested suggesting believe believes "
        "believed speculate speculates speculated predict predicts predicted estimate "
        "estimates estimated fear fears feared expect expects expected think thinks "
        "thought indicate indicates indicated indicating",
        "speculative",
    ),
    ("report reports reported reporting", "reported"),
    ("confirm confirms confirmed confirming", "confirmed"),
    (
        "deny denies denied denying dismiss dismisses dismissed dismissing reject rejects "
        "rejected rejecting refute refutes refuted rebut rebutted",
        "denied",
    ),
    (
        "dispute disputes disputed disputing question questions questioned questioning "
        "contest contests contested challenge challenged",
        "disputed",
    ),
]:
    for _w in _forms.split():
        VERB_CERTAINTY[_w] = _cert

# Nouns that make a phrase a (possibly anonymous) source: "a military source".
SOURCE_NOUNS = words(
    """source sources official officials report reports expert experts analyst analysts
    observer observers critic critics witness witnesses diplomat diplomats insider
    insiders aide aides intelligence media documents document study studies survey
    polls poll data figures statement statements spokesperson spokesman spokeswoman
    police investigators residents people others some many scientists researchers
    economists commentators officers authorities leaders"""
)
# Source phrases with no name behind them (anonymous or collective sourcing).
ANONYMOUS_MARKERS = words(
    """source sources official officials report reports insider insiders aide aides
    intelligence others some people diplomat diplomats witnesses"""
)

# Hedge cues: presence makes a claim speculative (matched case-insensitively, on word
# boundaries; the cue reported is the text as it appears).
HEDGES = (
    "highly likely",
    "more likely",
    "most likely",
    "likely",
    "unlikely",
    "may",
    "might",
    "could",
    "possibly",
    "possible",
    "possibility",
    "perhaps",
    "probably",
    "potential",
    "potentially",
    "reportedly",
    "allegedly",
    "apparently",
    "suggest",
    "suggests",
    "suggested",
    "believe",
    "believed",
    "believes",
    "appears",
    "appear",
    "seems",
    "seem",
    "estimated",
    "speculation",
    "unconfirmed",
    "rumors",
    "rumours",
    "expected",
    "is thought",
    "are thought",
    "indicating",
    "indicate",
    "indicates",
)
REPORTED_CUES = ("reportedly", "according to", "reports", "reported", "allegedly")
UNVERIFIED_CUES = (
    "unconfirmed",
    "could not be verified",
    "could not be independently verified",
    "cannot be verified",
    "unverified",
    "not independently verified",
    "allegedly",
    "reportedly",
    "unsubstantiated",
)
DENIAL_CUES = (
    "denied",
    "denies",
    "deny",
    "denying",
    "dismissed",
    "dismisses",
    "dismissing",
    "rejected",
    "rejects",
    "refuted",
    "unsubstantiated",
    "baseless",
    "false",
    "rumors",
    "rumours",
    "not true",
    "untrue",
    "fake",
    "groundless",
    "nonsense",
)
CONFLICT_CUES = (
    "conflicting reports",
    "conflicting accounts",
    "conflicting figures",
    "conflicting",
    "discrepancy",
    "discrepancies",
    "met with skepticism",
    "met with scepticism",
    "skepticism",
    "scepticism",
    "do not come close",
    "does not come close",
    "contradict",
    "contradicts",
    "contradicted",
    "contradictory",
    "at odds",
    "inconsistent",
    "disputed",
    "contrary to",
)
MISSING_CUES = (
    "remains uncertain",
    "remain uncertain",
    "remains unclear",
    "remain unclear",
    "it is unclear",
    "it was unclear",
    "it is not clear",
    "it was not clear",
    "unclear",
    "not known",
    "unknown",
    "declined to comment",
    "did not respond",
    "could not be reached",
    "no details",
    "remains to be seen",
    "not yet known",
    "did not say",
    "would not say",
    "uncertain",
)
QUANTITY_WORDS = words(
    "number numbers figure figures estimate estimates count toll total scale size"
)


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, tuple[str, str]]:
    """Map every surface form to ``(canonical name, stakeholder type)``.

    Surface forms are case-sensitive: "US" is the country, "us" is a pronoun.
    """
    raw = json.loads(
        resources.files("summarizer.offline").joinpath("gazetteer.json").read_text("utf-8")
    )
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
