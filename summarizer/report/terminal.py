"""``summarizer show``: one brief, readable in a terminal.

Rich renders the tables; every value from the article or the model goes in as
``Text`` (never as console markup), so a quote containing ``[bold]`` or an escape
sequence prints as the characters it is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from summarizer.errors import ConfigError
from summarizer.report.article_view import anonymous_claim_ids

CERTAINTY_STYLES = {
    "confirmed": "green",
    "reported": "blue",
    "claimed": "yellow",
    "speculative": "magenta",
    "disputed": "dark_orange",
    "denied": "red",
}


def load_result(path: Path) -> dict[str, Any]:
    """A result envelope from disk, or a one-line reason why not."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable result file: {exc}") from None
    if not isinstance(payload, dict) or "summary" not in payload:
        raise ConfigError(
            f"{path}: not a result file (no 'summary'); see 'summarizer schema --result'"
        )
    return payload


def _claims_table(brief: dict[str, Any]) -> Table:
    names = {s.get("id"): s.get("name") for s in brief.get("stakeholders", [])}
    anonymous = anonymous_claim_ids(brief)
    table = Table(title="Key claims", show_lines=True, expand=True)
    table.add_column("id", no_wrap=True)
    table.add_column("certainty", no_wrap=True)
    table.add_column("claimant / attribution", overflow="fold", ratio=1)
    table.add_column("claim and evidence", overflow="fold", ratio=3)
    for claim in brief.get("key_claims", []):
        certainty = claim.get("certainty", "")
        who = Text(names.get(claim.get("claimant")) or "the article")
        if claim.get("attribution"):
            who.append(f"\n{claim['attribution']}", style="dim")
        if claim["id"] in anonymous:
            who.append("\nanonymous source", style="italic red")
        body = Text(claim.get("statement", ""))
        evidence = claim.get("evidence", "")
        if evidence.strip() != claim.get("statement", "").strip():
            # Offline briefs quote the sentence as the statement; print it once.
            body.append(f"\n\u201c{evidence}\u201d", style="dim italic")
        table.add_row(
            Text(claim["id"]), Text(certainty, style=CERTAINTY_STYLES.get(certainty, "")), who, body
        )
    return table


def _stakeholders_table(brief: dict[str, Any]) -> Table:
    table = Table(title="Stakeholders", expand=True)
    for column in ("name", "type", "role", "stance"):
        table.add_column(column, overflow="fold")
    for s in brief.get("stakeholders", []):
        table.add_row(*(Text(str(s.get(k) or "")) for k in ("name", "type", "role", "stance")))
    return table


def _uncertainty(brief: dict[str, Any]) -> Text:
    uncertainty = brief.get("uncertainty", {})
    text = Text(f"Uncertainty: {uncertainty.get('overall', '?')}", style="bold")
    for item in uncertainty.get("items", []):
        text.append(f"\n- {item.get('aspect', '')} ({item.get('kind', '')}): ", style="")
        text.append(str(item.get("description", "")))
        if item.get("cues"):
            text.append(f"  cues: {', '.join(item['cues'])}", style="dim")
    return text


def _footer(payload: dict[str, Any]) -> Text:
    provenance = payload.get("provenance", {})
    usage = provenance.get("usage", {})
    text = Text(
        f"model {provenance.get('model', '?')} · mode {provenance.get('mode', '?')} · "
        f"tokens {usage.get('prompt_tokens', 0)} in + {usage.get('completion_tokens', 0)} out · "
        f"cache {'hit' if provenance.get('cache_hit') else 'miss'}",
        style="dim",
    )
    for warning in payload.get("warnings", []):
        text.append(f"\nwarning: {warning}", style="yellow")
    return text


def show_result(payload: dict[str, Any], console: Console | None = None) -> None:
    """Print one result envelope: headline, summary, claims, stakeholders, uncertainty."""
    brief = payload["summary"]
    source = (payload.get("article") or {}).get("source") or "text given directly"
    console = console or Console()
    header = Group(
        Text(brief.get("headline", ""), style="bold"),
        Text(str(source), style="dim"),
        Text(""),
        Text(brief.get("summary", "")),
    )
    console.print(Panel(header, expand=True))
    console.print(_claims_table(brief))
    console.print(_stakeholders_table(brief))
    console.print(_uncertainty(brief))
    console.print(_footer(payload))
