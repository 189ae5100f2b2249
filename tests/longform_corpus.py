"""Long articles for the long-article tests and benchmark.

``bbc_long_read`` joins about 30 BBC articles (about 100,000 characters) read from
../shared/data at run time (copyrighted: never copied into the repository);
``synthetic_long_read`` writes one of any length from a fixed seed, for machines
without the corpus and for the 10 MB offline case.
"""

from __future__ import annotations

import random
from pathlib import Path

_PEOPLE = [
    ("Anna Kowalski", "the finance minister"),
    ("Tomas Brandt", "the opposition leader"),
    ("Maria Okafor", "a union spokeswoman"),
    ("David Chen", "the harbour authority's director"),
    ("Lena Fischer", "an economist at the state bank"),
    ("Omar Haddad", "the mayor of Northport"),
]
_TOPICS = [
    "the port expansion",
    "the rail strike",
    "the flood defences",
    "the budget vote",
    "the hospital merger",
    "the fishing quota",
    "the airport tender",
    "the housing plan",
]
_VERBS = ["said", "told reporters", "warned", "insisted", "claimed", "denied"]


def synthetic_long_read(chars: int, seed: int = 15) -> str:
    """An article of at least ``chars`` characters: sections on several topics, each
    with attributed statements, figures and named people who recur by surname."""
    rng = random.Random(seed)
    lines = ["Northport council faces a year of disputes over its plans", ""]
    size, section = 0, 0
    while size < chars:
        section += 1
        topic = _TOPICS[section % len(_TOPICS)]
        name, role = _PEOPLE[section % len(_PEOPLE)]
        surname = name.split()[-1]
        figure = rng.randint(12, 950)
        paragraph = [
            f"In section {section} of the dispute over {topic}, {name}, {role}, "
            f"{rng.choice(_VERBS)} that {figure} jobs depended on a decision this month.",
            f"{surname} added that the council had ignored {rng.randint(2, 40)} earlier "
            f"warnings about {topic}.",
            f"Officials reportedly expect the cost of {topic} to reach {rng.randint(3, 90)} "
            "million pounds, although the figure has not been confirmed.",
            f"Residents of district {section} said the talks could continue for weeks.",
        ]
        text = " ".join(paragraph)
        lines += [text, ""]
        size += len(text) + 2
    return "\n".join(lines).strip() + "\n"


def bbc_long_read(data: Path, target_chars: int = 100_000) -> str:
    """About 30 BBC articles, a few from each category in turn, joined in order."""
    folder = data / "bbc" / "articles"
    categories = sorted(p for p in folder.iterdir() if p.is_dir())
    files = [sorted(c.glob("*.txt")) for c in categories]
    texts: list[str] = []
    index = 0
    while sum(len(t) for t in texts) < target_chars:
        for category in files:
            if index < len(category):
                texts.append(category[index].read_text(encoding="utf-8").strip())
        index += 7  # spread over each category, not its first few stories
    return "\n\n".join(texts) + "\n"
