"""PostgreSQL: the pool, transactions, plain SQL, numbered migrations and the embedded server."""
