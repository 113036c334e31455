"""Generated protobuf and gRPC code for package singleview.v1 (see scripts/gen_protos.py)."""
