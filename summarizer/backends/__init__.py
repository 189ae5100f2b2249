"""Backends: where a rendered request goes to "a model" (see :mod:`.base`).

* :class:`~.offline.OfflineBackend`: the built-in analyzer, the default with no key;
* :class:`~.chat.ChatBackend`: any OpenAI-compatible chat-completions endpoint;
* :class:`~.fake.FakeBackend`: scripted answers, for tests.

:func:`backend_for` picks one from the resolved settings; pass your own object with
the :class:`~.base.Backend` shape to ``Summarizer(backend=...)`` to plug in another.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from summarizer.backends.base import (
    AttemptGate,
    Backend,
    CallStats,
    Capabilities,
    Completion,
    Request,
)
from summarizer.config import OFFLINE_NOTICE

if TYPE_CHECKING:
    from summarizer.config import Settings
    from summarizer.options import BudgetOptions, GenerationOptions, TransportOptions

log = logging.getLogger("summarizer")

__all__ = [
    "AttemptGate",
    "Backend",
    "CallStats",
    "Capabilities",
    "Completion",
    "Request",
    "backend_for",
]


def backend_for(
    settings: Settings,
    generation: GenerationOptions,
    transport: TransportOptions,
    budget: BudgetOptions,
) -> Backend:
    """The backend the settings name: the offline analyzer, or a chat endpoint."""
    if settings.offline:
        from summarizer.backends.offline import OfflineBackend

        if settings.offline_because_unconfigured:
            log.warning(OFFLINE_NOTICE)  # said once, where the choice is made
        return OfflineBackend()
    from summarizer.backends.chat import ChatBackend

    return ChatBackend(settings, generation, transport, budget)
