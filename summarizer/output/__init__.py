"""What comes back: the schemas, validation and grounding, and the result envelope."""
