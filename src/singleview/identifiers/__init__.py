"""Normalization of customer identifiers: the only place that decides when two are the same.

Imports nothing of ours but `singleview.domain` and `singleview.config`.
"""

from __future__ import annotations

from .email import canonical_mailbox
from .normalize import normalize_identifier

__all__ = ["canonical_mailbox", "normalize_identifier"]
