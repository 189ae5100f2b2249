"""Build a small real run for the report tests: offline briefs, then ``summarizer report``.

The inputs cover what a reader's page must survive: the seed article, an article
full of markup (``<script>``, ``onerror=``, ``javascript:``, ``</textarea>``,
``</script>``), one whose source is deleted after the run, one that fails, and one
whose brief is edited to have evidence quotes that overlap without nesting. The
hostile article's brief is also edited the way a misbehaving model could answer
(markup in the headline and a stakeholder name, a ``javascript:`` URL).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from summarizer.cli import main
from summarizer.input.loader import load_article
from summarizer.output.validate import ArticleIndex

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "examples" / "seed-article.txt"

HOSTILE_TEXT = """Council warns of hostile form

The council said the form showed "<script>alert('x')</script>" when it was opened on Monday.
Police said an image tag <img src=x onerror=alert('img')> was found in the message, \
according to officials.
A spokesman said a link read <a href="javascript:alert('link')">click here</a> and the page \
ended with </textarea> and </script> in a comment.
Investigators allegedly found the same code on three other council websites, officials said.
"""
HOSTILE_HEADLINE = "<script>alert('headline')</script> Council <b>warns</b>"
HOSTILE_NAME = "<img src=x onerror=alert('name')>"

OVERLAP_TEXT = """Harbour plan divides town

The mayor said the new harbour wall would be finished by spring and would cost less than \
the old one, according to the council.
Fishermen disputed the cost and said the work had already stopped twice this winter.
"""


@dataclass(frozen=True)
class Site:
    inputs: Path
    out: Path
    report: Path

    def page(self, relative: str) -> Path:
        return self.report / "articles" / f"{relative}.json.html"

    def result(self, relative: str) -> dict[str, Any]:
        return json.loads((self.out / f"{relative}.json").read_text(encoding="utf-8"))

    def index_lines(self) -> list[dict[str, Any]]:
        lines = (self.out / "index.jsonl").read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    return result


def _edit(path: Path, change: Any) -> None:
    payload = json.loads(path.read_text(encoding="utf-8"))
    change(payload)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")


def _overlapping_brief(payload: dict[str, Any]) -> None:
    """Three claims: c2 overlaps c1 without nesting, c3 sits inside c1."""
    text = load_article(payload["article"]["source"]).text
    quotes = {
        "c1": "the new harbour wall would be finished by spring",
        "c2": "finished by spring and would cost less than the old one",
        "c3": "harbour wall",
    }
    index = ArticleIndex(text)
    payload["summary"]["key_claims"] = [
        {
            "id": cid,
            "statement": f"Statement {cid}.",
            "claimant": None,
            "attribution": "the mayor",
            "evidence": quote,
            "certainty": certainty,
        }
        for (cid, quote), certainty in zip(
            quotes.items(), ["claimed", "disputed", "confirmed"], strict=True
        )
    ]
    spans = []
    for cid, quote in quotes.items():
        start, end, how = index.find(quote)  # type: ignore[misc]
        spans.append({"claim_id": cid, "start": start, "end": end, "match": how})
    payload["evidence_spans"] = spans


def _hostile_brief(payload: dict[str, Any]) -> None:
    payload["summary"]["headline"] = HOSTILE_HEADLINE
    payload["summary"]["stakeholders"][0]["name"] = HOSTILE_NAME
    payload["article"]["url"] = "javascript:alert('url')"


def build_site(root: Path) -> Site:
    inputs = root / "articles"
    (inputs / "nested").mkdir(parents=True)
    shutil.copy(SEED, inputs / "seed-article.txt")
    (inputs / "nested" / "hostile.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    (inputs / "overlap.txt").write_text(OVERLAP_TEXT, encoding="utf-8")
    (inputs / "gone.txt").write_text(OVERLAP_TEXT.replace("Harbour", "Bridge"), encoding="utf-8")
    (inputs / "broken.txt").write_bytes(b"\x00\x01\x02binary\x00" * 64)
    out = root / "out"
    ran = invoke("run", str(inputs), "--out", str(out), "--no-cache", "-q")
    assert ran.exit_code == 1, ran.output  # one input fails, by design
    _edit(out / "overlap.txt.json", _overlapping_brief)
    _edit(out / "nested" / "hostile.txt.json", _hostile_brief)
    (inputs / "gone.txt").unlink()
    made = invoke("report", str(out))
    assert made.exit_code == 0, made.output
    return Site(inputs, out, out / "report")
