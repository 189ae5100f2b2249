"""Load and clean: files, HTML and JSON in, an :class:`Article` of clean text out."""
