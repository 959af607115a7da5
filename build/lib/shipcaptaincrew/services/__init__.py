"""Use cases. Plain functions with keyword-only arguments; each docstring says what it changes."""
