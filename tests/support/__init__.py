"""Test support: a real PostgreSQL, a real gRPC server, request builders."""
