"""Rendering the versioned prompt in ``prompts/`` into chat messages.

Order matters twice: the fixed instructions and schema come first so providers'
prompt caching can reuse that prefix across articles, and the article comes last,
fenced as data between ``<article>`` tags, so text inside it ("ignore your
instructions") is analysed rather than obeyed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache

from summarizer.errors import ConfigError
from summarizer.output.schema import compact_schema_text
from summarizer.resources import read_text

Message = dict[str, str]

_SECTION = re.compile(r"^## (\w+)\n", re.MULTILINE)
_CLOSING_TAG = re.compile(r"</\s*article\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class PromptTemplate:
    id: str
    version: str
    sha256: str
    sections: dict[str, str]

    def provenance(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}

    def render(self, article_text: str, *, include_schema: bool) -> list[Message]:
        """The first request for an article.

        ``include_schema`` is false when the endpoint enforces the schema itself
        (strict ``json_schema`` mode), which saves about a thousand prompt tokens.
        """
        schema_block = ""
        if include_schema:
            schema_block = self.sections["schema_block"].replace(
                "{{schema}}", compact_schema_text()
            )
        # An article cannot close the data fence early and smuggle in instructions.
        fenced = _CLOSING_TAG.sub("</ article>", article_text)
        text = self.sections["user"].replace("{{schema_block}}", schema_block)
        text = text.replace("{{article}}", fenced)
        return [{"role": "user", "content": text}]

    def reask(self, errors: list[str]) -> Message:
        """The follow-up that sends the exact validation errors back to the model."""
        listed = "\n".join(f"- {e}" for e in errors)
        return {"role": "user", "content": self.sections["reask"].replace("{{errors}}", listed)}


def parse_prompt(text: str, name: str) -> PromptTemplate:
    match = re.match(r"---\n(.*?)\n---\n", text, re.DOTALL)
    if not match:
        raise ConfigError(f"prompt {name}: missing '---' header")
    header: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, _, value = line.partition(":")
        header[key.strip()] = value.strip()
    body = text[match.end() :]
    parts = _SECTION.split(body)
    sections = {parts[i]: parts[i + 1].rstrip("\n") for i in range(1, len(parts) - 1, 2)}
    missing = {"user", "schema_block", "reask"} - sections.keys()
    if missing or "id" not in header or "version" not in header:
        raise ConfigError(
            f"prompt {name}: needs id, version and sections user, schema_block, reask"
        )
    return PromptTemplate(
        id=header["id"],
        version=header["version"],
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        sections=sections,
    )


@cache
def load_prompt(name: str = "brief") -> PromptTemplate:
    return parse_prompt(read_text("prompts", f"{name}.md"), name)
