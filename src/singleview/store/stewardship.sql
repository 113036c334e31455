-- review_tasks --
-- Review tasks with their live sides (following merges), recent activity and priority, in queue
-- order: OPEN first, then DECIDED, then OBSOLETE; within that by priority, highest first; then
-- oldest first. A keyset page starts after (rank, priority, seq). Activity is counted in a window
-- that ends at `as_of`, which the page token keeps, so paging does not drift as time passes.
WITH task AS (
    SELECT t.id, t.seq, t.score, t.evidence, t.state, t.verdict, t.reason,
           coalesce(t.decided_by, '') AS decided_by, t.create_time, t.decide_time, t.version,
           r.source, r.record_id,
           coalesce(a.merged_into, a.id) AS live_a,
           coalesce(b.merged_into, b.id) AS live_b,
           CASE t.state WHEN 'OPEN' THEN 0 WHEN 'DECIDED' THEN 1 ELSE 2 END AS rank
    FROM review_task AS t
    JOIN customer AS a ON a.id = t.customer_a
    JOIN customer AS b ON b.id = t.customer_b
    LEFT JOIN source_record AS r ON r.id = t.record_pk
    WHERE (%(ids)s::text[] IS NULL OR t.id = ANY(%(ids)s::text[]))
      AND (%(state)s::text IS NULL OR t.state = %(state)s::text)
      AND (
          %(customer)s::text IS NULL
          OR %(customer)s::text IN (coalesce(a.merged_into, a.id), coalesce(b.merged_into, b.id))
      )
), scored AS (
    SELECT task.*, activity.n,
           (1 - abs(2 * task.score - 1)) * (1 + log((1 + activity.n)::float8)) AS priority
    FROM task
    CROSS JOIN LATERAL (
        SELECT count(*)::integer AS n FROM (
            SELECT 1 FROM interaction AS i
            WHERE i.customer_id IN (task.live_a, task.live_b)
              AND i.occur_time >= %(as_of)s::timestamptz - %(window)s::interval
              AND i.occur_time < %(as_of)s::timestamptz
            LIMIT 10000
        ) AS recent
    ) AS activity
)
SELECT id, seq, live_a, live_b, score, evidence, state, verdict, reason, decided_by,
       create_time, decide_time, version, source, record_id, n, priority, rank
FROM scored
WHERE %(after_rank)s::integer IS NULL
   OR rank > %(after_rank)s::integer
   OR (rank = %(after_rank)s::integer AND priority < %(after_priority)s::float8)
   OR (rank = %(after_rank)s::integer AND priority = %(after_priority)s::float8
       AND seq > %(after_seq)s::bigint)
ORDER BY rank, priority DESC, seq
LIMIT %(limit)s

-- lock_review_task --
-- The task and its live sides, row-locked: two stewards deciding one task serialize here.
SELECT t.id, t.state, t.verdict, coalesce(t.decided_by, ''), t.version,
       coalesce(a.merged_into, a.id), coalesce(b.merged_into, b.id)
FROM review_task AS t
JOIN customer AS a ON a.id = t.customer_a
JOIN customer AS b ON b.id = t.customer_b
WHERE t.id = %(id)s
FOR UPDATE OF t

-- record_verdict --
UPDATE review_task
SET state = %(state)s, verdict = %(verdict)s, reason = %(reason)s, decided_by = %(actor)s,
    request_id = %(request_id)s, decide_time = now(), version = version + 1
WHERE id = %(id)s

-- obsolete_tasks_within --
-- Open tasks whose two sides are now one customer (after any merge into `customer`) are moot.
UPDATE review_task AS t
SET state = 'OBSOLETE', decide_time = now(), version = t.version + 1
FROM customer AS a, customer AS b
WHERE t.state = 'OPEN'
  AND t.customer_a IN (
      SELECT c.id FROM customer AS c WHERE c.id = %(customer)s OR c.merged_into = %(customer)s
  )
  AND a.id = t.customer_a AND b.id = t.customer_b
  AND coalesce(a.merged_into, a.id) = %(customer)s
  AND coalesce(b.merged_into, b.id) = %(customer)s

-- obsolete_tasks_between --
-- Once a steward decided one task on a pair of customers, other open tasks on the pair are moot.
UPDATE review_task AS t
SET state = 'OBSOLETE', decide_time = now(), version = t.version + 1
FROM customer AS a, customer AS b
WHERE t.state = 'OPEN' AND t.id <> %(decided)s
  AND t.customer_a IN (
      SELECT c.id FROM customer AS c
      WHERE c.id IN (%(x)s, %(y)s) OR c.merged_into IN (%(x)s, %(y)s)
  )
  AND a.id = t.customer_a AND b.id = t.customer_b
  AND least(coalesce(a.merged_into, a.id), coalesce(b.merged_into, b.id)) = least(%(x)s, %(y)s)
  AND greatest(coalesce(a.merged_into, a.id), coalesce(b.merged_into, b.id))
      = greatest(%(x)s, %(y)s)

-- open_task_between --
-- Is a task on this pair of live customers already waiting (whatever names it was raised under)?
SELECT EXISTS (
    SELECT 1
    FROM review_task AS t
    JOIN customer AS a ON a.id = t.customer_a
    JOIN customer AS b ON b.id = t.customer_b
    WHERE t.state = 'OPEN'
      AND t.customer_a IN (
          SELECT c.id FROM customer AS c
          WHERE c.id IN (%(x)s, %(y)s) OR c.merged_into IN (%(x)s, %(y)s)
      )
      AND least(coalesce(a.merged_into, a.id), coalesce(b.merged_into, b.id)) = least(%(x)s, %(y)s)
      AND greatest(coalesce(a.merged_into, a.id), coalesce(b.merged_into, b.id))
          = greatest(%(x)s, %(y)s)
)

-- lock_request --
-- Serializes two calls with one request_id, so the second replays the first's answer.
SELECT pg_advisory_xact_lock(%(key)s)

-- stored_request --
SELECT method, fingerprint, result FROM steward_request WHERE request_id = %(request_id)s

-- save_request --
INSERT INTO steward_request (request_id, method, fingerprint, result, actor)
VALUES (%(request_id)s, %(method)s, %(fingerprint)s, %(result)s, %(actor)s)

-- audit_events --
-- Newest first; a keyset page starts below the id of the last event shown.
SELECT id, action, actor, event_time, customers, reason, before, after
FROM audit_event
WHERE (%(customers)s::text[] IS NULL OR customers && %(customers)s::text[])
  AND (%(actor)s::text IS NULL OR actor = %(actor)s::text)
  AND (%(before_id)s::bigint IS NULL OR id < %(before_id)s::bigint)
ORDER BY id DESC
LIMIT %(limit)s

-- record_details --
-- The newest `per_customer` records of each customer in full (GetReviewTask's sides).
SELECT r.id, r.customer_id, r.source, r.record_id, r.identifiers, r.attributes, r.observed_at,
       r.decision, r.evidence
FROM unnest(%(ids)s::text[]) AS q (customer_id)
CROSS JOIN LATERAL (
    SELECT * FROM source_record AS s
    WHERE s.customer_id = q.customer_id
    ORDER BY s.observed_at DESC, s.id DESC
    LIMIT %(per_customer)s
) AS r

-- customers_sharing_identifiers --
-- Live customers other than `part` holding an identifier one of its records holds, each with
-- one such identifier; generic identifiers and placeholder values prove nothing and are skipped.
SELECT DISTINCT ON (theirs.customer_id) theirs.customer_id, i.kind, i.namespace, i.value
FROM source_record AS mine
JOIN record_identifier AS i ON i.record_pk = mine.id
JOIN record_identifier AS j ON j.kind = i.kind AND j.namespace = i.namespace AND j.value = i.value
JOIN source_record AS theirs ON theirs.id = j.record_pk
WHERE mine.customer_id = %(part)s AND theirs.customer_id <> %(part)s
  AND NOT EXISTS (
      SELECT 1 FROM generic_identifier AS g
      WHERE g.kind = i.kind AND g.namespace = i.namespace AND g.value = i.value
  ) AND NOT EXISTS (
      SELECT 1 FROM unnest(%(placeholder_kinds)s::text[], %(placeholder_patterns)s::text[])
          AS p (kind, pattern)
      WHERE p.kind = i.kind AND i.value ~ ('^(?:' || p.pattern || ')$')
  )
ORDER BY theirs.customer_id, i.kind, i.namespace, i.value
LIMIT %(limit)s

-- tasks_to_inherit --
-- A split: the latest review task between the customer split (`left`, under any name merged
-- into it) and each of the `others`; the part split off was in `left` when it was raised.
SELECT DISTINCT ON (other) id, other
FROM (
    SELECT t.id, t.seq,
           CASE WHEN coalesce(a.merged_into, a.id) = %(left)s
                THEN coalesce(b.merged_into, b.id) ELSE coalesce(a.merged_into, a.id) END AS other
    FROM review_task AS t
    JOIN customer AS a ON a.id = t.customer_a
    JOIN customer AS b ON b.id = t.customer_b
    WHERE %(left)s IN (coalesce(a.merged_into, a.id), coalesce(b.merged_into, b.id))
) AS tasks
WHERE other = ANY(%(others)s)
ORDER BY other, seq DESC

-- inherit_task --
-- The same question, open again, between the part split off and the other customer.
INSERT INTO review_task (id, record_pk, customer_a, customer_b, score, evidence)
SELECT %(id)s, record_pk, %(other)s, %(part)s, score, evidence
FROM review_task WHERE id = %(from_task)s
ON CONFLICT DO NOTHING
