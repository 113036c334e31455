"""Defence in depth for logs: a filter that keeps personal data out of what log handlers write.

singleview's own log calls carry ids, counts, kinds and reasons only (tests/api/test_no_personal_
data.py and tests/e2e/test_logs_without_personal_data.py check). This filter covers what a
library might add: an exception's message can quote a value (a psycopg error, a ValueError), so
exception text is reduced to the exception type and its frames, and anything shaped like an
email address or an E.164 phone number is masked.
"""

from __future__ import annotations

import logging
import re
import traceback

_EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[A-Za-z]{2,}")
_E164 = re.compile(r"(?<![\w+])\+\d{7,15}(?!\w)")
MASK = "[redacted]"


def mask_personal_data(text: str) -> str:
    """`text` with email addresses and E.164 phone numbers replaced by MASK."""
    return _E164.sub(MASK, _EMAIL.sub(MASK, text))


class PersonalDataFilter(logging.Filter):
    """Attach to a handler: every record it writes is masked, exceptions keep type and frames."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            frames = "".join(traceback.format_tb(exc.__traceback__))
            record.exc_text = f"{type(exc).__name__} (message withheld)\n{frames}".rstrip()
            record.exc_info = None
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def redact_handlers(logger: logging.Logger | None = None) -> None:
    """Install PersonalDataFilter on every handler of `logger` (the root logger by default)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())
