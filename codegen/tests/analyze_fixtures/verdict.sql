-- Verdict fixtures (issue 10): what PostgreSQL accepts and what it rejects at PREPARE, for the
-- checks of analyze/clauses.rs and analyze/literal.rs. tests/analyze.rs holds every query to
-- PostgreSQL's verdict (an accepted one typed as PREPARE types it, a rejected one rejected);
-- tests/analyze_rules.rs snapshots the analyzer's answers with their messages.

-- name: HavingAggregate :many
SELECT mood, count(*) AS n FROM people GROUP BY mood HAVING count(*) > 1;

-- name: OuterAggregateInSubqueryWhere :many
SELECT p.mood FROM people p GROUP BY p.mood
HAVING EXISTS (SELECT 1 FROM pets WHERE pets.id < max(p.id));

-- name: WindowOverAggregate :many
SELECT mood, sum(count(*)) OVER () AS total FROM people GROUP BY mood;

-- name: OrderByPosition :many
SELECT id, name FROM people ORDER BY 2, 1;

-- name: LimitTextNumber :many
SELECT id FROM people LIMIT '10' OFFSET ' 2 ';

-- name: LiteralsValid :many
SELECT id FROM people
WHERE age = ' 12 ' AND seen_at > 'today' AND born < '2024-01-31' AND score > '1e3'
  AND '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'::uuid IS NOT NULL AND 'of'::boolean IS NOT NULL;

-- name: SelfJoinAliased :many
SELECT a.id, b.id AS other FROM people a, people b WHERE a.id < b.id;

-- name: InsertSelectFewerNoColumnList :exec
INSERT INTO toys SELECT 1, 2;

-- name: ConflictExpressionTarget :exec
INSERT INTO toys (id, pet_id, label) VALUES (1, 2, 'x')
ON CONFLICT (id) WHERE label <> '' DO UPDATE SET label = excluded.label;

-- name: AggregateInWhere :many
SELECT id FROM people WHERE count(*) > 0;

-- name: AggregateInJoinOn :many
SELECT p.id FROM people p JOIN pets ON count(*) > 0;

-- name: AggregateInGroupBy :many
SELECT count(*) AS n FROM people GROUP BY count(*);

-- name: NestedAggregate :many
SELECT max(count(*)) AS n FROM people;

-- name: WindowInAggregate :many
SELECT max(row_number() OVER ()) AS n FROM people;

-- name: WindowInWhere :many
SELECT id FROM people WHERE row_number() OVER () > 1;

-- name: WindowInHaving :many
SELECT mood FROM people GROUP BY mood HAVING row_number() OVER () > 1;

-- name: AggregateInFromFunction :many
SELECT * FROM generate_series(1, count(*));

-- name: AggregateInUpdate :exec
UPDATE people SET age = count(*);

-- name: AggregateInReturning :many
DELETE FROM pets RETURNING count(*);

-- name: AggregateInValues :many
VALUES (count(*));

-- name: AggregateInFilter :many
SELECT count(*) FILTER (WHERE count(*) > 0) AS n FROM people;

-- name: OrderByPositionOutOfRange :many
SELECT id, name FROM people ORDER BY 99;

-- name: GroupByPositionOutOfRange :many
SELECT mood, count(*) AS n FROM people GROUP BY 5;

-- name: LimitText :many
SELECT id FROM people LIMIT 'abc';

-- name: IntegerLiteralInvalid :many
SELECT id FROM people WHERE age = 'abc';

-- name: IntegerLiteralOutOfRange :many
SELECT id FROM people WHERE age = '99999999999';

-- name: DateLiteralInvalid :many
SELECT id FROM people WHERE born = 'someday';

-- name: EnumLabelInvalid :many
SELECT id FROM people WHERE mood = 'angry';

-- name: EnumLabelValid :many
SELECT id FROM people WHERE mood = 'happy';

-- name: UuidLiteralInvalid :many
SELECT '{a0eebc99}'::uuid AS u;

-- name: TableTwice :many
SELECT people.id FROM people, people;

-- name: TableTwiceInJoin :many
SELECT p.id FROM pets p JOIN toys p ON true;

-- name: UpdateFromTarget :exec
UPDATE people SET age = 1 FROM people WHERE people.id = 1;

-- name: InsertSelectTooFew :exec
INSERT INTO toys (id, pet_id, label) SELECT 1, 2;

-- name: ConflictWithoutTarget :exec
INSERT INTO toys (id, pet_id, label) VALUES (1, 2, 'x') ON CONFLICT DO UPDATE SET label = 'y';

-- name: ConflictColumnMisspelled :exec
INSERT INTO toys (id, pet_id, label) VALUES (1, 2, 'x') ON CONFLICT (idd) DO NOTHING;

-- name: GroupedByPrimaryKey :many
SELECT p.id, p.name, count(pets.id) AS n FROM people p LEFT JOIN pets ON pets.owner_id = p.id GROUP BY p.id;

-- name: GroupedByExpression :many
SELECT lower(name) AS l, count(*) AS n FROM people GROUP BY lower(name) ORDER BY lower(name);

-- name: GroupedByPositionAndAlias :many
SELECT mood AS m, age, count(*) AS n FROM people GROUP BY 1, age HAVING age > 1 ORDER BY m;

-- name: UngroupedInSubqueryOfOuter :many
SELECT p.id, (SELECT count(*) FROM pets WHERE pets.owner_id = p.id) AS n FROM people p;

-- name: UnionArmsGroupedApart :many
SELECT count(*) AS n FROM people UNION ALL SELECT id FROM pets;

-- name: UngroupedWithoutGroupBy :many
SELECT id, count(*) AS n FROM people;

-- name: UngroupedSubqueryColumn :many
SELECT s.mood, s.n FROM (SELECT mood, age AS n FROM people) s GROUP BY s.mood;

-- name: UngroupedInHaving :many
SELECT s.mood FROM (SELECT mood, age FROM people) s GROUP BY s.mood HAVING s.age > 1;

-- name: UngroupedInOrderBy :many
SELECT s.mood FROM (SELECT mood, age FROM people) s GROUP BY s.mood ORDER BY s.age;

-- name: DistinctOrderedBySelected :many
SELECT DISTINCT p.mood AS m, lower(p.name) AS l FROM people p ORDER BY m, lower(p.name), p.mood;

-- name: DistinctStarOrdered :many
SELECT DISTINCT * FROM pets ORDER BY weight;

-- name: DistinctOrderedByUnselected :many
SELECT DISTINCT mood FROM people ORDER BY age;

-- name: DistinctOrderedByUnselectedExpression :many
SELECT DISTINCT name FROM people ORDER BY length(nick);

-- name: JsonLiteralValid :many
SELECT id FROM people WHERE meta = '{"a": [1, -0.5e+3, true, null]}' OR meta @> '{}';

-- name: JsonLiteralInvalid :many
SELECT id FROM people WHERE meta = '{"a": 01}';

-- name: ForUpdateWithDistinct :many
SELECT DISTINCT mood FROM people FOR UPDATE;

-- name: ForShareWithUnion :many
SELECT id FROM people UNION SELECT id FROM pets FOR SHARE;

-- name: WindowPartitionByAggregate :many
SELECT mood, rank() OVER (ORDER BY count(*) DESC) AS r FROM people GROUP BY mood;

-- name: WindowPartitionByMisspelled :many
SELECT row_number() OVER (PARTITION BY moood) AS r FROM people;

-- name: WindowInWindowDefinition :many
SELECT row_number() OVER (ORDER BY rank() OVER ()) AS r FROM people;

-- name: OrderByJsonb :many
SELECT meta FROM people ORDER BY meta, 1;

-- name: OrderByJson :many
SELECT meta::json AS j FROM people ORDER BY 1;

-- name: DistinctJson :many
SELECT DISTINCT meta::json AS j FROM people;

-- name: UnionJson :many
SELECT meta::json AS j FROM people UNION SELECT '{}'::json;

-- name: UnionAllJson :many
SELECT meta::json AS j FROM people UNION ALL SELECT '{}'::json;

-- name: DistinctOnOrderedFirst :many
SELECT DISTINCT ON (mood, lower(name)) id, mood FROM people ORDER BY mood, lower(name), id;

-- name: DistinctOnByPositionAndName :many
SELECT DISTINCT ON (2) id, mood AS m FROM people ORDER BY m, id DESC;

-- name: DistinctOnNoOrderBy :many
SELECT DISTINCT ON (mood) id FROM people;

-- name: DistinctOnOrderedByPrefix :many
SELECT DISTINCT ON (mood, age) id FROM people ORDER BY mood;

-- name: DistinctOnParameterOrderedByColumn :many
SELECT DISTINCT ON ($1::text) id FROM people WHERE id = $1 ORDER BY 1;

-- name: DistinctOnOrderedByOtherColumn :many
SELECT DISTINCT ON (mood) id FROM people ORDER BY age, mood;

-- name: DistinctOnNotInOrderBy :many
SELECT DISTINCT ON (mood, age) id FROM people ORDER BY mood, id;

-- name: DistinctOnStarOrderedByOtherColumn :many
SELECT DISTINCT ON (p.name) * FROM pets p ORDER BY p.weight;

-- name: DistinctOnOrderedByCases :many
SELECT DISTINCT ON (mood) id, mood FROM people
ORDER BY CASE WHEN $1 THEN age END, CASE WHEN NOT $1 THEN age END DESC;

-- name: DistinctOnFirstThenCases :many
SELECT DISTINCT ON (mood) id, mood FROM people
ORDER BY mood, CASE WHEN $1 THEN age END, CASE WHEN NOT $1 THEN age END DESC;

-- name: DistinctOnOrderItemRepeated :many
SELECT DISTINCT ON (mood) id, mood FROM people ORDER BY mood, age, mood;

-- name: GroupedByPrimaryKeyJoined :many
SELECT p.id, p.name, p.age, count(t.id) AS pets FROM people p LEFT JOIN pets t ON t.owner_id = p.id
GROUP BY p.id ORDER BY p.name;

-- name: GroupedByPrimaryKeyStar :many
SELECT p.*, count(*) AS n FROM pets p GROUP BY p.id;

-- name: GroupedByPrimaryKeyNotTheOtherTable :many
SELECT p.id, t.name, count(*) AS n FROM people p JOIN pets t ON t.owner_id = p.id GROUP BY p.id;

-- name: GroupedByNonKeyColumn :many
SELECT name, age, count(*) AS n FROM people GROUP BY name;

-- name: GroupedViewColumn :many
SELECT pet_id, pet, count(*) AS n FROM pet_owners GROUP BY pet_id;

-- name: GroupedSystemTableByPrimaryKey :many
SELECT t.oid, t.typname, count(*) AS n FROM pg_type t GROUP BY t.oid;

-- name: GroupedSystemTableByOtherColumn :many
SELECT t.typname, t.typlen, count(*) AS n FROM pg_type t GROUP BY t.typname;

-- name: GroupedSystemTableByCompositeKey :many
SELECT a.attname, a.atttypid, count(*) AS n FROM pg_attribute a GROUP BY a.attrelid, a.attnum;

-- name: GroupedSystemTableByPartOfKey :many
SELECT a.attname, count(*) AS n FROM pg_attribute a GROUP BY a.attrelid;

-- name: GroupedSystemView :many
SELECT table_name, table_schema, count(*) AS n FROM information_schema.tables GROUP BY table_name;

-- name: DistinctOnOutputName :many
SELECT DISTINCT ON (m) mood AS m, id FROM people ORDER BY m, id;

-- name: DistinctOnPositionOutOfRange :many
SELECT DISTINCT ON (3) mood, id FROM people;

-- name: CircularView :many
SELECT x FROM loop_a;

-- name: FunctionMisspelled :many
SELECT lowr(name) AS l FROM people;

-- name: ConflictNoUniqueIndex :exec
INSERT INTO toys (id, pet_id, label) VALUES (1, 2, 'x') ON CONFLICT (pet_id) DO NOTHING;

-- name: ConflictMoreColumnsThanKey :exec
INSERT INTO toys (id, pet_id, label) VALUES (1, 2, 'x')
ON CONFLICT (id, pet_id) DO UPDATE SET label = excluded.label;

-- name: ConflictPartialIndexWithoutWhere :exec
INSERT INTO toys (pet_id, label) VALUES (2, 'x') ON CONFLICT (pet_id, lower(label)) DO NOTHING;

-- name: ConflictPartialIndexWhere :exec
INSERT INTO toys (pet_id, label) VALUES (2, 'x')
ON CONFLICT (lower(label), pet_id) WHERE pet_id > 0 AND label <> '' DO NOTHING;

-- name: ConflictUniqueConstraintColumn :exec
INSERT INTO accounts (login, path) VALUES ('a', 'b') ON CONFLICT (login) DO NOTHING;

-- name: ConflictColumnTwice :exec
INSERT INTO toys (id, pet_id, label) VALUES (1, 2, 'x') ON CONFLICT (id, id) DO NOTHING;

-- name: ConflictOnMisspelledConstraint :exec
INSERT INTO toys (id, pet_id, label) VALUES (1, 2, 'x')
ON CONFLICT ON CONSTRAINT toys_pkey_typo DO UPDATE SET label = excluded.label;

-- name: ConflictOnUniqueIndexName :exec
INSERT INTO toys (pet_id, label) VALUES (2, 'x')
ON CONFLICT ON CONSTRAINT toys_label_per_pet DO UPDATE SET label = excluded.label;

-- name: ConflictOnUniqueConstraint :exec
INSERT INTO accounts (login, path) VALUES ('a', 'b') ON CONFLICT ON CONSTRAINT accounts_login_key DO NOTHING;

-- name: DateDigitsOutOfRange :many
SELECT id FROM people WHERE seen_at > '99999999999';

-- name: DateDigitsValid :many
SELECT id FROM people WHERE born = '20240131' AND seen_at > '240131';

-- name: RowCastTooManyFields :one
SELECT ROW(1, 2, 'cm', 4)::dims AS d;

-- name: RowCastTooFewFields :one
SELECT CAST((1, 2) AS dims) AS d;

-- name: RowCastFields :one
SELECT ROW(1, 2, 'cm')::dims AS d;

-- name: UngroupedWholeRow :many
SELECT p, count(*) AS n FROM pets p;

-- name: WholeRowGroupedByPrimaryKey :many
SELECT p, count(*) AS n FROM pets p GROUP BY p.id;

-- name: WholeRowGrouped :many
SELECT p, count(*) AS n FROM pets p GROUP BY p;

-- name: UngroupedWholeRowField :many
SELECT (b).id, count(*) AS n FROM boxes b;

-- name: UngroupedSubqueryWholeRow :many
SELECT s, count(*) AS n FROM (SELECT 1 AS one) s;

-- name: SubqueryWholeRowGrouped :many
SELECT s, count(*) AS n FROM (SELECT 1 AS one) s GROUP BY s;

-- name: ColumnOfWholeRowGrouping :many
SELECT p.name, count(*) AS n FROM pets p GROUP BY p;

-- name: UngroupedSystemColumn :many
SELECT ctid, count(*) AS n FROM pets p;

-- name: SystemColumnGroupedByPrimaryKey :many
SELECT p.ctid, p.xmin, count(*) AS n FROM pets p GROUP BY p.id;

-- name: DistinctOrderByColumnSelectedCast :many
SELECT DISTINCT login::text AS raw FROM accounts ORDER BY login;

-- name: DistinctOrderByColumnSelectedOwnType :many
SELECT DISTINCT name::text AS n FROM pets ORDER BY name;

-- name: UngroupedFullJoinUsingColumn :many
SELECT id, count(*) AS n FROM pets p FULL JOIN toys q USING (id);

-- name: FullJoinUsingColumnGrouped :many
SELECT id, count(*) AS n FROM pets p FULL JOIN toys q USING (id) GROUP BY id;

-- name: UngroupedScalarFunctionWholeRow :many
SELECT e, count(*) AS n FROM jsonb_array_elements('[1]') AS e;

-- name: UngroupedOuterColumnInWindowFrame :many
SELECT (SELECT sum(t.id) OVER (ORDER BY t.id ROWS p.id PRECEDING) FROM toys t LIMIT 1) AS s, count(*) AS n FROM pets p;

-- name: UngroupedStarOfUnionCte :many
WITH c AS (SELECT id, name FROM pets UNION ALL SELECT id, name FROM pets) SELECT t.*, count(*) AS n FROM c t;

-- name: UngroupedColumnNextToExistsOfCte :many
WITH a AS (SELECT 1 FROM pets WHERE id = $1) SELECT EXISTS (SELECT 1 FROM a) AS x, name, count(*) AS n FROM pets WHERE id = $1;

-- name: DistinctOrderByParameter :many
SELECT DISTINCT count(*) AS n FROM people GROUP BY $1 ORDER BY $2;

-- name: NestedOuterAggregateInSubquery :many
SELECT p.mood FROM people p GROUP BY p.mood HAVING EXISTS (SELECT 1 FROM pets WHERE pets.id < max(max(p.id)));

-- name: ConflictOnMissingConstraintDoNothing :exec
INSERT INTO accounts (login, path) VALUES ('a', 'b') ON CONFLICT ON CONSTRAINT accounts_login_key_typo DO NOTHING;

-- name: ConflictOnExclusionDoNothing :exec
INSERT INTO bookings VALUES (1, '[2020-01-01,2020-01-02)') ON CONFLICT ON CONSTRAINT bookings_no_overlap DO NOTHING;

-- name: ConflictOnAddedExclusionDoNothing :exec
INSERT INTO bookings VALUES (1, '[2020-01-01,2020-01-02)') ON CONFLICT ON CONSTRAINT bookings_no_overlap_id DO NOTHING;

-- name: ConflictOnRenamedAwayExclusion :exec
INSERT INTO bookings VALUES (1, '[2020-01-01,2020-01-02)') ON CONFLICT ON CONSTRAINT bookings_overlap DO NOTHING;

-- name: ConflictOnExclusionDoUpdate :exec
INSERT INTO bookings VALUES (1, '[2020-01-01,2020-01-02)') ON CONFLICT ON CONSTRAINT bookings_no_overlap DO UPDATE SET id = 2;

-- name: InsertColumnTwice :exec
INSERT INTO toys (id, pet_id, label, id) VALUES ($1, $2, $3, $1);

-- name: UpdateSetTwice :exec
UPDATE toys SET label = $1, label = $1 WHERE id = $2;

-- name: UpdateSetArrayElements :exec
UPDATE people SET tags[1] = 'a', tags[2] = 'b' WHERE id = $1;

-- name: UpdateSetWholeAndElement :exec
UPDATE people SET tags = '{}', tags[2] = 'b' WHERE id = $1;

-- name: ConflictUpdateSetTwice :exec
INSERT INTO toys (id, pet_id, label) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET label = $3, label = 'x';
