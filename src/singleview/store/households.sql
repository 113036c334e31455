-- households_of_customers --
SELECT customer_id, household_id, role FROM household_member
WHERE customer_id = ANY(%(ids)s::text[])

-- households_of_identifiers --
SELECT h.household_id, h.kind, h.namespace, h.value
FROM unnest(%(kinds)s::text[], %(namespaces)s::text[], %(ids)s::text[]) AS q (kind, namespace, value)
JOIN household_identifier AS h
  ON h.value = q.value AND h.kind = q.kind AND h.namespace = q.namespace

-- household --
SELECT id, create_time, update_time FROM household WHERE id = %(id)s

-- household_for_update --
SELECT id FROM household WHERE id = %(id)s FOR UPDATE

-- household_members --
SELECT customer_id, role, origin, evidence FROM household_member
WHERE household_id = %(id)s
ORDER BY role, create_time, customer_id

-- household_identifiers --
SELECT kind, namespace, value FROM household_identifier
WHERE household_id = %(id)s
ORDER BY kind, namespace, value

-- insert_household --
INSERT INTO household (id) VALUES (%(id)s)

-- touch_household --
UPDATE household SET update_time = now() WHERE id = %(id)s

-- insert_member --
-- A customer is in one household at most: a second household does not take it.
INSERT INTO household_member (household_id, customer_id, role, origin, evidence)
VALUES (%(household_id)s, %(customer_id)s, %(role)s, %(origin)s, %(evidence)s)
ON CONFLICT DO NOTHING
RETURNING customer_id

-- promote_member --
-- A contact that turns out to be a person of the household (a steward says so).
UPDATE household_member SET role = 'MEMBER', origin = %(origin)s, evidence = %(evidence)s
WHERE household_id = %(household_id)s AND customer_id = %(customer_id)s
RETURNING customer_id

-- delete_member --
DELETE FROM household_member
WHERE household_id = %(household_id)s AND customer_id = %(customer_id)s
RETURNING role

-- insert_identifier --
INSERT INTO household_identifier (household_id, kind, namespace, value)
VALUES (%(household_id)s, %(kind)s, %(namespace)s, %(value)s)
ON CONFLICT DO NOTHING

-- delete_identifier --
-- The identifier turned out to be a crowd's (a store's phone), not a household's.
DELETE FROM household_identifier
WHERE kind = %(kind)s AND namespace = %(namespace)s AND value = %(value)s
RETURNING household_id

-- exclusions_of_customers --
SELECT customer_id, household_id FROM household_exclusion WHERE customer_id = ANY(%(ids)s::text[])

-- insert_exclusion --
INSERT INTO household_exclusion (household_id, customer_id)
VALUES (%(household_id)s, %(customer_id)s)
ON CONFLICT DO NOTHING

-- delete_exclusion --
DELETE FROM household_exclusion
WHERE household_id = %(household_id)s AND customer_id = %(customer_id)s

-- member_rows_of --
-- Merge: the rows of the customers merged, survivor's first.
SELECT household_id, customer_id, role FROM household_member
WHERE customer_id = ANY(%(ids)s::text[])
ORDER BY customer_id = %(survivor)s DESC, role DESC, create_time

-- repoint_member --
UPDATE household_member SET customer_id = %(survivor)s
WHERE household_id = %(household_id)s AND customer_id = %(customer_id)s

-- delete_members_of --
DELETE FROM household_member WHERE customer_id = ANY(%(ids)s::text[])
RETURNING household_id

-- dissolve_small --
-- A household of fewer than two people is none: its contacts and identifiers go with it.
DELETE FROM household AS h
WHERE h.id = ANY(%(ids)s::text[])
  AND (SELECT count(*) FROM household_member AS m
       WHERE m.household_id = h.id AND m.role = 'MEMBER') < 2
RETURNING h.id

-- reattribute_conversations --
-- The household's conversations (held by a contact) become the member's, with every interaction
-- in them; `ids` narrows to some conversations, NULL takes them all.
UPDATE conversation SET customer_id = %(to_customer)s, update_time = now()
WHERE customer_id = ANY(%(from_customers)s::text[])
  AND (%(ids)s::text[] IS NULL OR id = ANY(%(ids)s::text[]))
  AND (NOT %(open_only)s OR state = 'OPEN')
RETURNING id

-- reattribute_interactions --
UPDATE interaction SET customer_id = %(to_customer)s, record_pk = NULL, update_time = now()
WHERE conversation_id = ANY(%(conversation_ids)s::text[])
  AND customer_id = ANY(%(from_customers)s::text[])
RETURNING id
