"""Render the prompt and count its tokens, offline."""
