-- limit_statements --
-- Cancel any statement of this transaction that outlives the caller's deadline; {timeout} is an
-- interval literal such as '250ms'. A SET takes no snapshot, so the transaction may still
-- choose its isolation level next (SET TRANSACTION must come before any query); LOCAL: the
-- setting ends with the transaction.
SET LOCAL statement_timeout = {timeout}
