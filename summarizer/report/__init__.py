"""Briefs for people: a run as a static HTML site, one brief as a page or in the terminal.

Separate from the batch's ``report.json`` (machine figures of a run): this package
only reads results and writes pages. :func:`write_site` renders a ``summarizer run``
output folder; :func:`render_result` renders one result envelope.
"""

from summarizer.report.site import render_result, write_site

__all__ = ["render_result", "write_site"]
