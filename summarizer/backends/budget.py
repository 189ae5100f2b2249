"""The run's spending limits, checked before every request (``--max-cost``,
``--max-total-tokens``).

Kept apart from the rate limiter: a rate limit delays a request, a budget refuses
it, and only the budget needs the prices of :mod:`summarizer.pricing`.
"""

from __future__ import annotations

from summarizer.backends.base import Completion
from summarizer.errors import BudgetExceeded, ConfigError
from summarizer.options import BudgetOptions
from summarizer.pricing import CostMeter, ModelInfo


class Budget:
    """Spend so far against the limits; shared by every article of a run."""

    def __init__(self, options: BudgetOptions, info: ModelInfo, model: str) -> None:
        self.options = options
        self.meter = CostMeter(info)
        if options.max_cost_usd is not None and not self.meter.prices_known:
            raise ConfigError(
                f"a cost limit (--max-cost) needs a price for {model!r}; add one under "
                "[models] in the config file (input_per_mtok, output_per_mtok) or limit "
                "tokens instead (--max-total-tokens)"
            )

    @property
    def needs_token_counts(self) -> bool:
        """Whether each request must be counted in tokens before it is sent."""
        return self.options.limited

    @property
    def spent_usd(self) -> float | None:
        return self.meter.spent_usd

    def ensure_affordable(self, prompt_tokens: int, output_allowance: int) -> None:
        """Refuse a request that could cross a limit if it used its whole allowance."""
        options = self.options
        if self.meter.would_exceed(
            options.max_cost_usd, options.max_total_tokens, prompt_tokens, output_allowance
        ):
            spent = self.meter.spent_usd
            money = "" if spent is None else f"${spent:.4f}, "
            raise BudgetExceeded(
                "stopping before a call that could exceed the budget "
                f"({money}{self.meter.tokens} tokens used so far)"
            )

    def add(self, completion: Completion) -> None:
        self.meter.add(completion.prompt_tokens or 0, completion.completion_tokens or 0)
