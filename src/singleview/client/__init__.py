"""Clients of the singleview gRPC API, used by the command line."""
