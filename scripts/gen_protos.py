"""Generate Python code, typed stubs and gRPC stubs from protos/ into src/singleview/v1/.

Run by `make protos` (and so by `make install`); the generated files are never edited or committed.
"""

from __future__ import annotations

import shutil
import sys
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
OUT = ROOT / "src"


def main() -> int:
    target = OUT / "singleview" / "v1"
    for stale in target.glob("*_pb2*.py*"):
        stale.unlink()
    proto_files = sorted(str(p.relative_to(PROTOS)) for p in PROTOS.rglob("*.proto"))
    well_known = str(resources.files("grpc_tools") / "_proto")
    args = [
        "grpc_tools.protoc",
        f"-I{PROTOS}",
        f"-I{well_known}",
        f"--python_out={OUT}",
        f"--grpc_python_out={OUT}",
        f"--mypy_out={OUT}",
        f"--mypy_grpc_out={OUT}",
    ]
    if (
        shutil.which("protoc-gen-mypy") is None
        and shutil.which("protoc-gen-mypy", path=str(Path(sys.executable).parent)) is None
    ):
        print("protoc-gen-mypy not found: install mypy-protobuf", file=sys.stderr)
        return 1
    code = protoc.main([*args, *proto_files])
    if code != 0:
        print(f"protoc failed with exit code {code}", file=sys.stderr)
        return int(code)
    print(f"generated {len(proto_files)} proto files into {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
