"""Comparators, blocking keys, the scoring model and the decision; pure functions, no I/O."""
