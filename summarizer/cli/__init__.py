"""The ``summarizer`` command.

User errors (a missing file, a bad key, an invalid config) print one line naming
the input and the reason, and exit non-zero without a traceback; ``--verbose`` adds
detail for debugging. One module per group of commands: :mod:`.common` (the
``main`` group, exit codes, option decorators), :mod:`.run` (summarize, run,
estimate), :mod:`.tools` (schema, validate, report, show, cache, eval); ``doctor``
and the batch-API commands live beside their code.
"""

from __future__ import annotations

from summarizer.batchapi.cli import EXIT_BATCHES_OPEN, batch_api_options  # noqa: F401
from summarizer.cli import run, tools  # noqa: F401 - importing them registers their commands
from summarizer.cli.common import (  # noqa: F401 - the names other modules and tests use
    EXIT_DISK_ERROR,
    EXIT_FAILED_ITEMS,
    EXIT_INTERRUPTED,
    EXIT_OUTPUT_LOCKED,
    EXIT_USER_ERROR,
    _fail,
    build_summarizer,
    generation_options,
    main,
    model_options,
    transport_options,
    user_errors,
)
from summarizer.doctor import doctor_command

main.add_command(doctor_command)


def _add_batch_commands() -> None:
    from summarizer.batchapi.cli import batches
    from summarizer.batchapi.files import batch_file_group

    main.add_command(batches)
    main.add_command(
        batch_file_group(model_options, user_errors, build_summarizer, EXIT_FAILED_ITEMS)
    )


_add_batch_commands()
