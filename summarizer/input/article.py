"""The article as the rest of the pipeline sees it: cleaned text plus identity.

Every later step (token budget, prompt, grounding of evidence quotes, cache key)
works on ``Article.text``, the *cleaned* text, so that boilerplate removed here can
never reach a prompt or be accepted as evidence.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """A loaded, cleaned news article.

    ``text`` is the cleaned article (headline line included when the source had
    one); evidence offsets in results are character offsets into it.
    """

    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def identity(self) -> dict[str, object]:
        """The ``article`` block of a result envelope."""
        return {
            "source": self.source,
            "title": self.title,
            "url": self.url,
            "published": self.published,
            "sha256": self.sha256,
            "chars": len(self.text),
        }
