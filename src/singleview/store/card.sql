-- recent_purchase_ids --
-- The customer's latest purchases on any channel: interactions whose outcome is PURCHASE.
SELECT id
FROM interaction
WHERE customer_id = ANY(%(ids)s::text[]) AND outcome = 'PURCHASE'
ORDER BY occur_time DESC, seq DESC
LIMIT %(limit)s
