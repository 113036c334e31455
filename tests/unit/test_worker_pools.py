"""`serve --workers N` divides the process's connection pool among the workers, so the database
sees the same number of connections whatever N is, unless the operator sized it explicitly."""

from __future__ import annotations

import pytest

from singleview.config import Settings
from singleview.supervisor import worker_pool_size


@pytest.mark.parametrize(
    ("pool", "workers", "environ", "expected"),
    [
        (16, 1, {}, 16),
        (16, 2, {}, 8),
        (16, 3, {}, 6),  # rounded up: never fewer connections in total
        (16, 8, {}, 4),  # at least a few per worker, whatever N
        (10, 4, {}, 4),
        (12, 2, {"SINGLEVIEW_POOL_MAX_SIZE": "12"}, 12),  # set explicitly: per process
    ],
)
def test_each_worker_gets_its_share_of_the_pool(
    pool: int, workers: int, environ: dict[str, str], expected: int
) -> None:
    settings = Settings(pool_max_size=pool)

    assert worker_pool_size(settings, workers, environ) == expected
