"""What `singleview` prints for operators and supervisors to read, line by line."""

from __future__ import annotations

import io

import pytest

from singleview.cli import _print


class _Writes(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def write(self, text: str) -> int:
        self.calls.append(text)
        return super().write(text)


def test_a_line_is_written_whole_so_workers_sharing_stdout_never_run_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = _Writes()
    monkeypatch.setattr("sys.stdout", out)

    _print("singleview serving gRPC on 127.0.0.1:50051")

    assert out.calls == ["singleview serving gRPC on 127.0.0.1:50051\n"]
