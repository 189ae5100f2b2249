"""The output contract: loading the JSON Schemas and checking documents against them.

``schemas/summary.schema.json`` is the single source of truth for what a model must
return. It is written inside the OpenAI strict subset, so it can be sent as a
``json_schema`` response format as-is (minus annotations strict mode rejects);
grammar-constrained servers (llama.cpp) get a bounded copy, because unbounded
strings and arrays let a small model loop until ``max_tokens``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from summarizer.resources import read_text

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

# Keys that are documentation for people and tools, not constraints; strict
# structured-output endpoints reject some of them.
_ANNOTATIONS = ("$schema", "$id", "title", "$comment")


def _read(name: str) -> dict[str, Any]:
    return json.loads(read_text("schemas", f"{name}.schema.json"))


@cache
def load_schema(name: str) -> dict[str, Any]:
    """``name`` is ``"summary"`` or ``"result"``; the result schema comes bundled.

    Why bundled: the result schema refers to the brief's schema by its ``$id`` (a URN),
    which no validator can fetch. Embedding the brief under ``$defs`` (JSON Schema
    2020-12 bundling: an embedded resource keeps its ``$id``, so the ``$ref`` and the
    brief's own ``#/$defs/...`` references resolve inside the one document) makes
    ``summarizer schema --result`` usable on its own by any validator, while
    ``schemas/summary.schema.json`` stays the single source of the brief.
    """
    schema = _read(name)
    if name == "result":
        summary = _read("summary")
        summary.pop("$schema", None)  # the embedding document already names the dialect
        schema.setdefault("$defs", {})["summary"] = summary
    return schema


def schema_version(name: str) -> str:
    """The version is the last part of the ``$id`` (``urn:summarizer:schema:NAME:VERSION``)."""
    return str(load_schema(name)["$id"]).rsplit(":", 1)[-1]


@cache
def schema_hash(name: str) -> str:
    """Hash of the schema's canonical JSON: part of the cache key."""
    canonical = json.dumps(load_schema(name), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@cache
def _validator(name: str) -> Draft202012Validator:
    # Imported here: only invalid documents need jsonschema's error lists, and its
    # import is a third of the CLI's own start-up time.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name))  # self-contained: no registry needed


def _format_path(path: Any) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


@cache
def _fast_check(name: str) -> Callable[[Any], Any]:
    """A compiled validator for the common case, a valid document.

    jsonschema walks a brief in milliseconds; a warm rerun re-validates every cached
    result, so the yes/no answer comes from fastjsonschema's compiled code (about
    50 times faster) and jsonschema is used only to list the errors of an invalid
    document. Both read the same schema file; the tests check they agree.
    """
    import fastjsonschema

    summary = load_schema("summary")
    standalone = _inline_refs(summary, summary["$defs"])
    if name == "summary":
        schema = standalone
    else:
        schema = copy.deepcopy(load_schema(name))
        schema["properties"]["summary"] = standalone
        del schema["$defs"]["summary"]  # inlined above; fastjsonschema need not resolve it
    # Compiled with draft-07 semantics: the schemas use no 2020-12-only keyword.
    schema.pop("$schema", None)
    return fastjsonschema.compile(schema)


def is_valid(document: Any, name: str = "summary") -> bool:
    import fastjsonschema

    try:
        _fast_check(name)(document)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def schema_errors(document: Any, name: str = "summary") -> list[str]:
    """Every violation, each as ``path: message``, in a stable order.

    All errors are reported (not just the first) so that one re-ask can fix them all.
    """
    if is_valid(document, name):
        return []
    errors = sorted(
        _validator(name).iter_errors(document),
        key=lambda e: (list(map(str, e.absolute_path)), e.message),
    )
    return [f"{_format_path(e.absolute_path)}: {e.message}" for e in errors]


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return _inline_refs(defs[name], defs)
        return {k: _inline_refs(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


def wire_schema() -> dict[str, Any]:
    """The summary schema as sent in a strict ``json_schema`` response format."""
    schema = copy.deepcopy(load_schema("summary"))
    for key in _ANNOTATIONS:
        schema.pop(key, None)
    schema.pop("description", None)
    return schema


# Bounds for grammar-constrained decoding (llama.cpp-style servers). A weak model
# under a grammar fills strings and arrays until it hits a limit, so these bounds
# keep the worst case near 3,000 output tokens while leaving room for real briefs.
# They are not part of the contract: the strict schema has no length limits.
GRAMMAR_MAX_LENGTH = {
    "id": 8, "claimant": 8, "claim_ids": 8, "headline": 150, "summary": 700,
    "name": 80, "role": 120, "stance": 160, "statement": 250, "attribution": 120,
    "evidence": 300, "aspect": 80, "description": 200, "cues": 40,
}  # fmt: skip
GRAMMAR_MAX_ITEMS = {"stakeholders": 6, "key_claims": 6, "items": 4, "cues": 4, "claim_ids": 4}
_DEFAULT_MAX_LENGTH = 200


def bounded_schema() -> dict[str, Any]:
    """A self-contained copy with ``maxLength``/``maxItems`` for grammar-based servers."""
    schema = wire_schema()
    inlined = _inline_refs(schema, schema.get("$defs", {}))

    def bound(node: Any, key: str | None = None) -> None:
        if isinstance(node, dict):
            kind = node.get("type")
            kinds = kind if isinstance(kind, list) else [kind]
            if "string" in kinds and "enum" not in node:
                node.setdefault("maxLength", GRAMMAR_MAX_LENGTH.get(key or "", _DEFAULT_MAX_LENGTH))
            if "array" in kinds and key in GRAMMAR_MAX_ITEMS:
                node.setdefault("maxItems", GRAMMAR_MAX_ITEMS[key])
            for child_key, child in node.get("properties", {}).items():
                bound(child, child_key)
            if "items" in node:
                bound(node["items"], key)

    bound(inlined)
    return inlined


@cache
def compact_schema_text() -> str:
    """The schema as prompt text for modes where the endpoint does not enforce it.

    Cached: it is the same for every article, and building it (a deep copy of the
    schema, then JSON) cost about 1 ms a request in ``bench/bench_batch.py`` profiles.
    """
    return json.dumps(wire_schema(), ensure_ascii=False, separators=(",", ":"))
