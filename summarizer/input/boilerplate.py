"""The cleaner's rules: which whole lines are page furniture, each with why it is safe.

Kept apart from :mod:`summarizer.input.clean` (which applies them) so the rules read
as the reviewed list they are; ``docs/cleaning.md`` gives each rule's measured effect.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["BOILERPLATE_PATTERNS", "SECTION_HEADINGS", "Rule"]


class Rule(NamedTuple):
    """One line-level boilerplate rule; ``why`` documents the risk it was judged against."""

    name: str
    pattern: re.Pattern[str]
    max_len: int
    why: str


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Lines longer than a rule's max_len are never removed by it: real sentences are long,
# furniture is short. The patterns are matched against the whole stripped line.
BOILERPLATE_PATTERNS: tuple[Rule, ...] = (
    Rule(
        "inline-teaser",
        _rx(
            r"(?:keep reading|read more|read also|also read|read next|see also|related|"
            r"related (?:article|story|stories|content|coverage|link)s?|more|recommended|"
            r"suggested|don'?t miss|must read|editor'?s pick|also on \S+)\s*[:|>»\-–—]\s*\S.*"
        ),
        250,
        "'KEEP READING: <headline>' style links inserted between paragraphs; the label "
        "plus colon never starts a real sentence",
    ),
    Rule(
        "read-more",
        _rx(
            r"(?:read|see|view|show|load|find out|learn) (?:more|the (?:full|rest|whole)"
            r"(?: of the)? (?:story|article|post|here)|the rest here|full (?:story|article)"
            r"|more here)\b.{0,40}"
        ),
        80,
        "'Read more', 'Read the rest here.', 'Read the full story' links",
    ),
    Rule(
        "share",
        _rx(
            r"(?:share|tweet|email|e-mail|print|pin|save|copy link|comment)"
            r"(?: (?:this|the) (?:article|story|post|page))?(?: (?:on|via|with|to) .{1,30})?"
            r"\s*[:!.]?"
        ),
        60,
        "share buttons rendered as text; only short lines that are nothing but the button",
    ),
    Rule(
        "social-row",
        _rx(
            r"(?:(?:share|facebook|twitter|x|linkedin|whatsapp|reddit|pinterest|email|"
            r"e-mail|messenger|telegram|tumblr|flipboard|print|copy(?: link)?|sms|pocket|"
            r"mail|tweet|comments?|instagram|youtube|rss)\s*(?:[|/·•,]\s*)?){2,}"
        ),
        200,
        "rows of social network names ('Facebook Twitter Email')",
    ),
    Rule(
        "subscribe",
        _rx(
            r"(?:subscribe|sign up|signup|sign in|sign out|log in|log out|login|logout|register|"
            r"join|create (?:an |your )?account)(?: now| today| here| for free| free| for \S+)?"
            r"\s*[.!:»›→>]?"
        ),
        60,
        "bare account / subscription buttons; a sentence that starts with 'Sign up' goes "
        "on past the button text and is kept",
    ),
    Rule(
        "newsletter",
        _rx(
            r"(?:.{0,30}\b(?:sign up|subscribe|register|get|join|receive)\b.{0,60}\b"
            r"(?:newsletters?|inbox|email alerts?|e-mail alerts?)\b.{0,40}"
            r"|.{0,40}\bnewsletters?\b.{0,40}(?<![.!?])|subscribe now.{0,40}|"
            r".{0,40}\bsubscribers? only\b.{0,20})"
        ),
        90,
        "newsletter prompts; capped at 90 chars because articles sometimes tell readers, "
        "in a real sentence, where to subscribe (kept by the human annotators)",
    ),
    Rule(
        "follow",
        _rx(r"(?:follow|like|find|join) us(?: on| at| via|:).{0,80}|follow @\S+.{0,60}"),
        120,
        "'Follow us on Twitter' and similar",
    ),
    Rule(
        "click-here",
        _rx(r"(?:click|tap) here\b.{0,120}(?<!\.)"),
        140,
        "'Click here to ...' calls to action; one ending in a period is a sentence an "
        "annotator kept, so it stays",
    ),
    Rule(
        "advertisement",
        _rx(
            r"(?:advertisement|advertising|sponsored(?: content| links?| stories)?|"
            r"ad|ads|promoted(?: stories| content)?|paid (?:content|post)|"
            r"story continues below(?: this)? advertisement|continue reading below|"
            r"scroll (?:down )?to continue(?: with content)?|skip (?:to )?(?:main )?"
            r"(?:content|navigation)|(?:article|story) continues below)\s*[:.]?"
        ),
        60,
        "ad slot labels and 'story continues below' markers",
    ),
    Rule(
        "cookies",
        _rx(
            r".{0,200}\b(?:we use cookies|uses cookies|use of cookies|cookie (?:policy|"
            r"settings|preferences|notice|consent)|accept (?:all )?cookies)\b.{0,300}"
        ),
        400,
        "cookie banners; only lines that mention cookies as site policy",
    ),
    Rule(
        "copyright",
        _rx(
            r"(?:©|\(c\)|copyright\b|all rights reserved).{0,200}"
            r"|.{0,150}\ball rights reserved\.?"
        ),
        200,
        "footer copyright lines; a sentence about copyright law does not start with "
        "'Copyright' and is usually longer",
    ),
    Rule(
        "privacy-terms",
        _rx(
            r"(?:privacy policy|terms of (?:use|service)|terms (?:and|&) conditions|"
            r"contact us|about us|site ?map|accessibility|ad choices|do not sell my "
            r"(?:personal )?info(?:rmation)?)(?:\s*[|·•,/]\s*.{0,40})*"
        ),
        200,
        "footer link rows",
    ),
    Rule(
        "ui-label",
        _rx(
            r"(?:home|menu|main menu|close|search|search for:?|open search|more|show more|"
            r"back to (?:main menu|top|menu)|skip(?: ad)?|toggle navigation|navigation|"
            r"advertise(?: with us)?|privacy notice|facebook|twitter|linkedin|whatsapp|"
            r"pinterest|reddit|flipboard|instagram|youtube|rss|email|e-mail|tumblr|telegram|"
            r"messenger|snapchat|tiktok|x\.com|watchlist|next|previous|prev|loading\.*|"
            r"next (?:article|story|post)|previous (?:article|story|post)|top|go|submit|"
            r"expand|collapse|toggle|listen|watch|play|pause|mute|unmute|full ?screen|"
            r"enlarge(?: this image)?|hide caption|toggle caption|image|photo|video|gallery)"
            r"\s*[:»›→>|]?"
        ),
        30,
        "navigation and widget labels that are a whole line by themselves; an article "
        "line is never just 'Menu' or 'Twitter'",
    ),
    Rule(
        "no-words",
        re.compile(r"[^\w]{1,12}"),
        12,
        "lines without a single letter or digit (bullets, '›‹', '|'); bare numbers stay "
        "because articles put list numbers on their own line",
    ),
    Rule(
        "comments",
        _rx(
            r"(?:\d+\s+)?comments?|(?:leave|post|add|view|show|hide)"
            r" (?:a |your )?comments?\b.{0,40}|comments are closed\.?|"
            r"be the first to comment\.?"
        ),
        60,
        "comment counters and prompts",
    ),
)

# Headings that introduce a block of unrelated teasers. Matched as the whole line.
SECTION_HEADINGS: re.Pattern[str] = _rx(
    r"(?:related|related (?:posts?|articles?|stories|story|content|coverage|news|reading|"
    r"links|videos?|topics)|more (?:from|on|in|about) .{1,60}|more (?:stories|articles|news|"
    r"videos?|headlines|to read|like this)|you (?:may|might) (?:also )?(?:like|enjoy|be "
    r"interested in)|recommended(?: for you| stories| articles| reading)?|read next|"
    r"what to read next|up next|trending(?: now| stories)?|most (?:popular|read|viewed|shared)"
    r"|popular (?:stories|articles|posts|now)|(?:from|around) the web|don'?t miss|"
    r"(?:latest|top) (?:news|stories|headlines)|other stories|further reading|"
    r"more from our network|elsewhere on .{1,40})\s*[:.]?"
)
