-- limit_statements --
-- Cancel any statement of this transaction that outlives the caller's deadline; the value is
-- an interval such as '250ms'. is_local: the setting ends with the transaction.
SELECT set_config('statement_timeout', %s, true)
