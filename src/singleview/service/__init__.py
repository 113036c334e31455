"""Use cases: resolve, profiles, timeline and context, stewardship, privacy."""
