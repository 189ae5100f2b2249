"""``summarize_dataset``: a Ray Dataset of articles in, a Dataset of results out."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

from summarizer.backends import backend_for
from summarizer.config import resolve
from summarizer.errors import ConfigError
from summarizer.options import BudgetOptions, GenerationOptions, TransportOptions
from summarizer.ray.actor import ActorSpec, SummarizeActor
from summarizer.ray.ledger import Ledger
from summarizer.ray.options import RayOptions, actor_shares
from summarizer.ray.rows import PATH_COLUMN

# Blocks each actor works on at once: while the last rows of one block wait for
# their answers, the next block's rows take the free request slots (the actor's
# semaphore, not the block size, bounds requests in flight).
_BLOCKS_PER_ACTOR = 4


def new_ledger(**options: Any) -> Any:
    """A ledger actor for one run (zero CPUs: it only does bookkeeping)."""
    import ray

    return ray.remote(Ledger).options(num_cpus=0, max_concurrency=10_000).remote(**options)


def summarize_dataset(
    ds: Any,
    *,
    generation: GenerationOptions | None = None,
    transport: TransportOptions | None = None,
    budget: BudgetOptions | None = None,
    actors: int | None = None,
    concurrency_per_actor: int | None = None,
    endpoints: list[str] | tuple[str, ...] | None = None,
    id_column: str | None = None,
    text_column: str | None = None,
    html_column: str | None = None,
    done_keys: Mapping[str, str] | None = None,
    ledger: Any = None,
) -> Any:
    """Summarise every row of ``ds``; see :mod:`summarizer.ray` for the output columns.

    The keyword arguments left as None take :class:`RayOptions`' defaults. ``done_keys``
    maps ids to the generation key of a result the caller already holds: such rows
    come back as ``existing`` without any call. ``ledger`` lets a caller (the CLI
    engine, a test) hold the run's :class:`Ledger` to stop the run or watch actors.
    Lazy like every Dataset transform: nothing runs until the result is consumed.
    """
    import ray

    given = {
        "actors": actors,
        "concurrency_per_actor": concurrency_per_actor,
        "endpoints": tuple(endpoints) if endpoints is not None else None,
        "id_column": id_column,
        "text_column": text_column,
        "html_column": html_column,
    }
    options = replace(RayOptions(), **{k: v for k, v in given.items() if v is not None})
    generation = generation or GenerationOptions()
    transport = transport or TransportOptions()
    budget = budget or BudgetOptions()
    _check_columns(ds, options)
    settings = resolve(
        model=generation.model,
        base_url=transport.base_url or (options.endpoints[0] if options.endpoints else None),
        api_key=transport.api_key,
    )
    # The first actor's backend, built here: a configuration error (a cost limit
    # without a price, say) is one line now instead of actors failing to start.
    share, budget_share = actor_shares(options, transport, budget, 0)
    backend_for(replace(settings, base_url=share.base_url), generation, share, budget_share)
    if ledger is None:
        ledger = new_ledger()
    spec = ActorSpec(
        settings=settings,
        generation=replace(generation, model=settings.model),
        transport=replace(transport, base_url=settings.base_url),
        budget=budget,
        options=options,
        ledger=ledger,
        done_keys=[ray.put(dict(done_keys))] if done_keys else None,
    )
    per_actor = options.per_actor(transport)
    return ds.map_batches(
        SummarizeActor,
        fn_constructor_kwargs={"spec": spec},
        batch_size=per_actor,
        batch_format="pyarrow",
        # As many blocks sent to an actor as it works on: more would queue on one
        # actor while another idles (and Ray Data retires idle actors).
        compute=ray.data.ActorPoolStrategy(
            size=options.actors,
            max_concurrent_calls_per_actor=_BLOCKS_PER_ACTOR,
            max_tasks_in_flight_per_actor=_BLOCKS_PER_ACTOR,
        ),
        # Waiting on HTTP, not computing: a fraction of a CPU each. Ray Data restarts
        # a killed actor and retries its block (max_restarts=-1, max_task_retries=-1
        # are its defaults for actor pools); the ledger serves what was paid for.
        num_cpus=0.25,
    )


def _check_columns(ds: Any, options: RayOptions) -> None:
    """One clear error before any work when the dataset lacks a named column."""
    schema = ds.schema()
    names = set(schema.names) if schema is not None else set()
    wanted = [options.id_column]
    if PATH_COLUMN not in names:
        wanted.append(options.html_column or options.text_column)
    missing = [name for name in wanted if name not in names]
    if missing:
        raise ConfigError(
            f"the dataset has no column {', '.join(map(repr, missing))} "
            f"(its columns: {', '.join(sorted(names)) or 'none'}); the command reads 'id' "
            "and 'text' (or 'html'); summarize_dataset takes "
            + ", ".join(f"{f.name}=" for f in fields(RayOptions) if f.name.endswith("_column"))
        )


def connect(address: str | None) -> bool:
    """Join the cluster at ``address``, or start a local Ray; True when we started it."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise ConfigError("--engine ray needs Ray: pip install 'summarizer[ray]'") from None
    quiet = not logging.getLogger("summarizer").isEnabledFor(logging.DEBUG)
    ray.data.DataContext.get_current().enable_progress_bars = not quiet
    started = not ray.is_initialized()
    if started:
        ray.init(
            address=address,
            include_dashboard=False,
            log_to_driver=not quiet,
            logging_level=logging.ERROR if quiet else logging.INFO,
        )
    if quiet:  # Ray Data logs every run's plan and progress at INFO
        warnings.filterwarnings("ignore", message="The minimum number of concurrent actors")
        logging.getLogger("ray").setLevel(logging.ERROR)
        logging.getLogger("ray.data").setLevel(logging.ERROR)
    return started
