"""Long articles: split into parts that fit, summarise each, merge into one brief.

* :mod:`.plan` decides from the backend's capabilities whether an article needs
  parts and how many (``--max-chunks``, ``--long``);
* :mod:`.split` cuts the text at paragraph and sentence ends, with a small overlap;
* :mod:`.run` summarises the parts concurrently through the pipeline (cache, gate,
  budget, rate limits) and :mod:`.merge` makes one grounded brief of them, with
  :mod:`.claims`, :mod:`.stakeholders` and :mod:`.summary` for each section.
"""

from summarizer.longform.plan import Plan, TooManyParts, plan_article
from summarizer.longform.split import Part, split_text

__all__ = ["Part", "Plan", "TooManyParts", "plan_article", "split_text"]
