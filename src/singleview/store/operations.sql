-- ping --
-- Readiness: the database answers a trivial statement.
SELECT 1

-- open_review_tasks --
-- The stewards' queue depth, for the review-queue gauge.
SELECT count(*) FROM review_task WHERE state = 'OPEN'
