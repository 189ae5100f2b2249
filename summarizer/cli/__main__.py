"""``python -m summarizer.cli``: the same command as the ``summarizer`` script."""

from summarizer.cli import main

main()
