-- limit_statements --
-- Cancel any statement of this transaction that outlives the caller's deadline; the value is
-- an interval such as '250ms'. is_local: the setting ends with the transaction.
SELECT set_config('statement_timeout', %s, true)

-- limit_session_statements --
-- The same for a pooled connection in autocommit mode; reset before it goes back to the pool.
SELECT set_config('statement_timeout', %s, false)

-- reset_statement_timeout --
RESET statement_timeout
