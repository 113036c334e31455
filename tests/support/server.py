"""The real gRPC server, in a background thread of the test process, on a free port."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

from singleview.api.server import RunningServer, start_server
from singleview.config import Settings
from singleview.store.database import Database


class ServerThread:
    """Runs `start_server` on its own event loop so tests can call it with blocking stubs."""

    def __init__(self, conninfo: str, settings: Settings | None = None) -> None:
        self.conninfo = conninfo
        self.settings = replace(settings or Settings(), host="127.0.0.1", port=0, console_port=0)
        self.port = 0
        self.console_port = 0
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="grpc-server", daemon=True)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def console_url(self) -> str:
        """The stewards' web console of this server."""
        return f"http://127.0.0.1:{self.console_port}"

    def start(self) -> ServerThread:
        self._thread.start()
        if not self._ready.wait(60):
            raise TimeoutError("the test server did not start")
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        database = await Database.open(
            self.conninfo, min_size=2, max_size=16, retries=self.settings.resolve_retries
        )
        running: RunningServer | None = None
        try:
            running = await start_server(database, self.settings)
            self.port = running.port
            self.console_port = running.console.port if running.console else 0
            self._ready.set()
            await self._stop.wait()
        finally:
            if running is not None:
                await running.stop(2)
            await database.close()
