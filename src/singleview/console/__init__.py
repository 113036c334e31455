"""The stewards' web console: server-rendered HTML over the same service layer as gRPC.

Started by `singleview serve` beside the gRPC server, in its event loop, on
`SINGLEVIEW_CONSOLE_PORT` (default 8080) of the same host. See README "Stewards' console".
"""
