"""`singleview serve` as a real child process, the way an operator starts it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

_SERVING = re.compile(r"serving gRPC on [^:]+:(\d+)")


class ServeProcess:
    def __init__(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        data_dir: Path | None = None,
        command: list[str] | None = None,
    ) -> None:
        """`singleview serve --port 0 ARGS`, or any `command` that prints `serving gRPC on`."""
        command = command or [sys.executable, "-m", "singleview.cli", "serve", "--port", "0", *args]
        if data_dir is not None:
            command += ["--data-dir", str(data_dir)]
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        full_env.pop("SINGLEVIEW_DATABASE_URL", None)
        full_env.setdefault("SINGLEVIEW_CONSOLE_PORT", "0")  # several serves run side by side
        full_env.update(env or {})
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=full_env,
        )
        self.lines: list[str] = []
        self.port = 0
        self._serving = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            match = _SERVING.search(line)
            if match:
                self.port = int(match.group(1))
                self._serving.set()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def wait_serving(self, timeout: float = 60) -> ServeProcess:
        deadline = time.monotonic() + timeout
        while not self._serving.wait(0.1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"serve did not come up:\n{self.output}")
        return self

    def terminate(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout)
        self._reader.join(5)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)
