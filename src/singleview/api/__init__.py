"""gRPC servicers, interceptors and pb <-> domain conversion; the only users of generated code."""
