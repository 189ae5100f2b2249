"""Run the same pipeline on a Ray cluster (``pip install 'summarizer[ray]'``).

:func:`summarize_dataset` takes a Ray Dataset with an id column and a text (or HTML)
column and returns a Dataset with one row per input row:

* ``id``; ``status`` (ok, failed or skipped); ``result``: the result JSON exactly as
  a one-machine run writes it (``schemas/result.schema.json``), or null;
  ``error``: the one-line reason of a failed or skipped row, or null;
* ``key`` (the generation key), ``cache_hit``, ``existing``, ``duplicate_of``, the
  row's tokens, attempts, re-asks, retries (JSON) and latency, and the ``node`` and
  ``host`` that handled it.

Failures are rows, never exceptions that kill the job. Each actor of the pool holds
one ``Summarizer`` built from the same options objects as everywhere else
(:mod:`summarizer.options`); the run-wide RPM, TPM and budget are divided equally
among the actors, and the actors are spread over ``endpoints`` round robin. A small
:class:`~summarizer.ray.ledger.Ledger` actor collapses identical articles across the
cluster and keeps what was paid for, so an actor that dies and restarts pays for
nothing twice. ``summarizer run --engine ray`` (:mod:`summarizer.ray.engine`) writes
the same output folder as a one-machine run.

Names are imported on first use, so ``summarizer.ray.options`` (read by the CLI for
its defaults) costs nothing when Ray is not used.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Ledger": "summarizer.ray.ledger",
    "RayOptions": "summarizer.ray.options",
    "actor_shares": "summarizer.ray.options",
    "new_ledger": "summarizer.ray.dataset",
    "summarize_dataset": "summarizer.ray.dataset",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'summarizer.ray' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
