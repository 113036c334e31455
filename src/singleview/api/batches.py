"""Group a stream's requests into batches of what has arrived, reading on while a batch works."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

T = TypeVar("T")

_END = object()


async def batches(source: AsyncIterator[T], most: int) -> AsyncIterator[list[T]]:
    """Lists of 1..`most` items, in order: whatever arrived while the previous batch was handled.

    A reader task keeps at most two batches buffered, so gRPC flow control holds a fast client
    back instead of this process's memory growing; an error of the source is raised here.
    """
    queue: asyncio.Queue[object] = asyncio.Queue(maxsize=2 * most)

    async def read() -> None:
        try:
            async for item in source:
                await queue.put(item)
        except Exception as exc:  # handed to the consumer, which raises it
            await queue.put(exc)
        else:
            await queue.put(_END)

    reader = asyncio.create_task(read())
    try:
        while True:
            batch: list[T] = []
            item = await queue.get()
            while True:
                if item is _END:
                    if batch:
                        yield batch
                    return
                if isinstance(item, Exception):
                    raise item
                batch.append(item)  # type: ignore[arg-type]
                if len(batch) >= most or queue.empty():
                    break
                item = queue.get_nowait()
            yield batch
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
