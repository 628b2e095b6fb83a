-- name: Literals :one
SELECT 1 AS i4, 3000000000 AS i8, 1.5 AS num, 'x' AS txt, true AS b, NULL::int AS n, -2147483648 AS min4;

-- name: UnknownResolution :one
SELECT '{"a":1}'::jsonb ->> 'a' AS v, 'abc' || 1 AS cat, 2 + 2.5 AS sum_num, 1 / 2 AS div_int;

-- name: ParamFromComparison :many
SELECT id, name FROM people WHERE name = $1 AND age > $2 AND born < $3;

-- name: ParamLimitOffset :many
SELECT id FROM people ORDER BY id LIMIT $1 OFFSET $2;

-- name: ParamAny :many
SELECT id FROM people WHERE id = ANY($1) AND mood = ANY(@moods::mood[]);

-- name: ParamInList :many
SELECT id FROM people WHERE age IN ($1, $2, 3);

-- name: ParamEnum :many
SELECT id FROM people WHERE mood = $1 OR mood <> @other;

-- name: ParamLike :many
SELECT id FROM people WHERE name LIKE $1 OR nick ILIKE $2;

-- name: ParamBetween :many
SELECT id FROM people WHERE born BETWEEN $1 AND $2;

-- name: ParamFunctionArg :many
SELECT lower($1) AS l, jsonb_set(meta, ARRAY[@key::text], @value::jsonb) AS m FROM people;

-- name: Star :many
SELECT * FROM people;

-- name: StarJoinUsing :many
SELECT * FROM pets JOIN toys ON toys.pet_id = pets.id;

-- name: StarQualified :many
SELECT o.*, p.name FROM people o LEFT JOIN pets p ON p.owner_id = o.id;

-- name: LeftJoinNulls :many
SELECT o.name AS owner, p.name AS pet, t.label FROM people o LEFT JOIN pets p ON p.owner_id = o.id LEFT JOIN toys t ON t.pet_id = p.id;

-- name: RightJoinNulls :many
SELECT o.name AS owner, p.name AS pet FROM people o RIGHT JOIN pets p ON p.owner_id = o.id;

-- name: FullJoinUsing :many
SELECT id, p.name, q.label FROM pets p FULL JOIN toys q USING (id);

-- name: NestedJoinNulls :many
SELECT o.name, t.label FROM people o LEFT JOIN (pets p JOIN toys t ON t.pet_id = p.id) ON p.owner_id = o.id;

-- name: SubqueryInFromNulls :many
SELECT o.name, s.n FROM people o LEFT JOIN (SELECT owner_id, count(*) AS n FROM pets GROUP BY owner_id) s ON s.owner_id = o.id;

-- name: CteNulls :many
WITH named AS (SELECT id, name FROM people) SELECT n.name, p.name AS pet FROM pets p LEFT JOIN named n ON n.id = p.owner_id;

-- name: Aggregates :one
SELECT count(*) AS c, count(age) AS ca, sum(age) AS s, max(name) AS m, avg(score) AS a, array_agg(name) AS names, bool_and(age > 1) AS ba FROM people;

-- name: AggregatesGrouped :many
SELECT mood, count(*) AS c, sum(id) AS s, sum(age) AS sa, max(name) AS m, string_agg(name, ',') AS sg, stddev_samp(id) AS sd FROM people GROUP BY mood;

-- name: AggregateFilter :many
SELECT mood, sum(id) FILTER (WHERE age > 1) AS s FROM people GROUP BY mood;

-- name: Coalesce :many
SELECT coalesce(nick, name) AS a, coalesce(nick, email) AS b, coalesce(age, 0) AS c, greatest(age, 1) AS g, nullif(name, 'x') AS n FROM people;

-- name: CaseExpr :many
SELECT CASE WHEN age > 1 THEN 'old' ELSE 'young' END AS c1, CASE WHEN age > 1 THEN name END AS c2, CASE mood WHEN 'sad' THEN 1 ELSE 2.5 END AS c3, CASE WHEN true THEN 1 ELSE id END FROM people;

-- name: StrictFunctions :many
SELECT lower(name) AS l, upper(nick) AS u, length(name) AS len, name || '!' AS bang, id + 1 AS next, now() AS t, meta -> 'a' AS ma, tags[1] AS first_tag FROM people;

-- name: Casts :many
SELECT id::text, age::bigint, born::timestamp, '1 day'::interval, name::varchar(5) AS short, mood::text AS m FROM people;

-- name: ScalarSubquery :many
SELECT o.name, (SELECT count(*) FROM pets p WHERE p.owner_id = o.id) AS pets, EXISTS (SELECT 1 FROM pets p WHERE p.owner_id = o.id) AS has_pets FROM people o;

-- name: InSubquery :many
SELECT name FROM people WHERE id IN (SELECT owner_id FROM pets WHERE name = $1);

-- name: UnionNulls :many
SELECT name, age FROM people UNION ALL SELECT name, NULL FROM pets;

-- name: UnionTypes :many
SELECT 1 AS x UNION SELECT 2.5 UNION SELECT NULL;

-- name: Window :many
SELECT name, row_number() OVER (ORDER BY id) AS rn, lag(name) OVER (ORDER BY id) AS prev, sum(id) OVER (ORDER BY id) AS running FROM people;

-- name: ViewColumns :many
SELECT pet_id, pet, owner FROM pet_owners;

-- name: ViewOuterJoinColumns :many
SELECT pet_id, pet, toy, total FROM pet_toys;

-- name: ViewOnNullableSide :many
SELECT p.name, v.pet, v.toy FROM people p LEFT JOIN pet_toys v ON v.pet_id = p.id;

-- name: ValuesQuery :many
SELECT * FROM (VALUES (1, 'a'), (2, NULL)) AS v(n, s);

-- name: GenerateSeries :many
SELECT g FROM generate_series(1, 3) AS g;

-- name: UnnestParam :many
SELECT x FROM unnest($1::int[]) AS x;

-- name: InsertReturning :one
INSERT INTO people (name, email, age, mood, tags) VALUES ($1, $2, $3, $4, $5)
RETURNING id, name, nick, age, mood;

-- name: InsertSelect :exec
INSERT INTO pets (owner_id, name) SELECT id, $1 FROM people WHERE name = $2;

-- name: InsertOnConflict :one
INSERT INTO toys (id, pet_id, label) VALUES ($1, $2, $3)
ON CONFLICT (id) DO UPDATE SET label = EXCLUDED.label || $4
RETURNING *;

-- name: UpdateFrom :many
UPDATE pets SET weight = $1 FROM people o WHERE o.id = pets.owner_id AND o.name = $2
RETURNING pets.id, o.name AS owner, weight;

-- name: DeleteUsing :many
DELETE FROM toys t USING pets p WHERE p.id = t.pet_id AND p.name = $1 RETURNING t.label, p.weight;

-- name: DataModifyingCte :one
WITH p AS (INSERT INTO people (name, email) VALUES ($1, $2) RETURNING id, name, age)
SELECT id, name, age FROM p;

-- name: Overrides :one
SELECT max(id) AS "top!", min(name) AS "low?", name AS "who?" FROM people GROUP BY name;

-- name: Extract :many
SELECT extract(year FROM born) AS y, date_part('year', born) AS dp, born + 1 AS next_day, seen_at - interval '1 hour' AS earlier FROM people;

-- name: ArrayOps :many
SELECT id FROM people WHERE tags && $1::text[] AND tags @> ARRAY['x'] AND 'y' = ANY(tags);

-- name: Variadic :many
SELECT concat(name, 1, true) AS c, format('%s-%s', name, id) AS f, jsonb_build_object('n', name) AS j FROM people;

-- name: Polymorphic :many
SELECT array_append(tags, 'z') AS app, array_length(tags, 1) AS len, array_position(tags, $1) AS pos, array_cat(tags, ARRAY[name]) AS cat FROM people;

-- name: Lateral :many
SELECT o.name, l.pet FROM people o LEFT JOIN LATERAL (SELECT p.name AS pet FROM pets p WHERE p.owner_id = o.id LIMIT 1) l ON true;

-- name: FunctionInFromLateral :many
SELECT o.id, t.tag FROM people o, unnest(o.tags) AS t(tag);

-- name: RecursiveCte :many
WITH RECURSIVE chain(id, depth, label) AS (
    SELECT id, 0, name FROM people WHERE id = 1
    UNION ALL
    SELECT c.id + 1, c.depth + 1, NULL FROM chain c WHERE c.depth < 3
)
SELECT id, depth, label FROM chain;

-- name: UpdateTuple :exec
UPDATE people SET (nick, age) = ($1, $2) WHERE id = $3;

-- name: SetReturningInSelect :many
SELECT generate_series(1, age) AS n, unnest(tags) AS tag FROM people;

-- name: SelfJoinStar :many
SELECT * FROM people a LEFT JOIN people b ON b.id = a.id + 100;

-- name: RecordFunctionInFrom :many
SELECT e.key, e.value FROM people p, jsonb_each(p.meta) AS e;

-- name: ParamNullability :many
SELECT $1::int + 1 AS plain, sqlc.narg(maybe)::int + 1 AS maybe FROM people;

-- name: DefaultsPositional :one
SELECT greet('ann') AS one, greet('ann', '?') AS two, greet('ann', '?', true) AS three;

-- name: NamedNotation :one
SELECT greet(name => 'ann') AS a, greet(punct => '?', name => $1) AS b, greet(shout := true, name := 'x') AS c;

-- name: MixedNotation :one
SELECT greet('ann', shout => $1) AS m, make_interval(days => 2) AS i, make_interval(1, days => $2) AS j;

-- name: NamedUnknown :one
SELECT greet(nam => 'ann');

-- name: NamedBindsPositional :one
SELECT greet('ann', name => 'bob');

-- name: PositionalAfterNamed :one
SELECT greet(name => 'ann', '?');

-- name: NamedTwice :one
SELECT greet(name => 'ann', name => 'bob');

-- name: DefaultsAmbiguous :one
SELECT pick(1);

-- name: DefaultsNotAmbiguous :one
SELECT pick(1, 2) AS p;

-- name: WholeRow :many
SELECT p, row_to_json(p) AS j, count(*) OVER () AS n FROM pets p;

-- name: WholeRowOuterJoin :many
SELECT o.name, p, p IS DISTINCT FROM NULL AS has_pet FROM people o LEFT JOIN pets p ON p.owner_id = o.id;

-- name: WholeRowCount :many
SELECT o.id, count(p) AS c, count(p.*) AS cs FROM people o LEFT JOIN pets p ON p.owner_id = o.id GROUP BY o.id;

-- name: WholeRowSubqueryAndCte :many
WITH n AS (SELECT name FROM people) SELECT n, s, count(n) OVER () AS c FROM n, (SELECT 1 AS one) s;

-- name: WholeRowMissing :one
SELECT count(q.*) FROM people p;

-- name: RowConstructors :many
SELECT (id, name) AS r, ROW(id, age) AS r2, ROW(p.*) AS r3 FROM people p;

-- name: RowComparisons :many
SELECT id FROM people
WHERE (id, name) = ROW($1, $2)
   OR (id, age) IN (SELECT owner_id, 1 FROM pets)
   OR (name, nick) IS DISTINCT FROM ($3, 'x')
   OR (age, id) > (SELECT 1, $4::bigint);

-- name: RowLengthsDiffer :one
SELECT (1, 2) = (1, 2, 3);

-- name: RowCountDistinct :one
SELECT count(DISTINCT (id, name)) AS n FROM people;

-- name: WithOrdinality :many
SELECT o.id, t.tag, t.n FROM people o, unnest(o.tags) WITH ORDINALITY AS t(tag, n);

-- name: WithOrdinalityTooManyAliases :many
SELECT * FROM unnest(ARRAY[1]) WITH ORDINALITY AS t(a, b, c);

-- name: WithOrdinalityDefaultNames :many
SELECT * FROM jsonb_array_elements('[1, 2]') WITH ORDINALITY;

-- name: WithOrdinalityJoin :many
SELECT ids.id, times.at
FROM unnest($1::bigint[]) WITH ORDINALITY AS ids(id, ord)
JOIN unnest($2::timestamptz[]) WITH ORDINALITY AS times(at, ord) USING (ord);

-- name: UnnestSeveral :many
SELECT * FROM unnest(ARRAY[1, 2], ARRAY['a']) AS u(n, s);

-- name: UnnestSeveralNames :many
SELECT * FROM unnest(ARRAY[1, 2], ARRAY['a']);

-- name: OutParameterName :many
SELECT * FROM jsonb_array_elements('[1]') AS e;

-- name: ScalarFunctionWholeRow :many
SELECT e FROM jsonb_array_elements('[1]') AS e;

-- name: ValueFunctionInFrom :one
SELECT * FROM current_date, localtime AS lt, current_user;

-- name: ValueFunctionNames :one
SELECT user, current_role, session_user, current_catalog;

-- name: ValueFunctionInFromColumn :one
SELECT today.nope FROM current_date AS today;

-- name: FunctionReturningRowType :many
SELECT p.name, p.weight FROM people o, LATERAL pets_of(o.id) p;

-- name: FunctionReturningRowTypeMissingColumn :many
SELECT p.nope FROM pets_of(1) p;

-- name: FunctionReturningRowTypeInSelect :many
SELECT pets_of(o.id) AS pet FROM people o;

-- name: RangeOperators :many
SELECT id, lower(span) AS lo, span @> 2.5::float8 AS has, span && $1 AS overlaps FROM slots WHERE span @> $2;

-- name: RangeAggregate :one
SELECT range_agg(span) AS all_spans, weightrange(1, 2) AS r FROM slots;

-- name: BuiltinRangeElementMismatch :one
SELECT int8range(1, 5) @> 1;

-- name: RangeElementMismatch :many
SELECT id FROM slots WHERE span @> 2;

-- name: LockTable :exec
LOCK TABLE people IN SHARE MODE;

-- name: LockSeveral :exec
LOCK people, pet_owners IN ACCESS EXCLUSIVE MODE NOWAIT;

-- name: TrimForms :many
SELECT trim(name) AS a, TRIM(BOTH '"' FROM to_json(name)::text) AS b, trim(LEADING 'x' FROM nick), trim(TRAILING ' ' FROM name) FROM people;

-- name: ViewOverMovedTable :many
SELECT * FROM shelf_all;

-- name: ViewOverMovedTableRenamedColumn :many
SELECT id, label, loud FROM shelf_labels WHERE label <> $1;

-- name: ViewOverViewRenamedColumn :many
SELECT id, shout FROM shelf_shouts;

-- name: ViewCreatedUnderAnotherSearchPath :many
SELECT id, title, note FROM bin_crates;

-- name: MovedTableUnderItsNewName :many
SELECT * FROM depot.crates;

-- name: ViewStarLeavesOutLaterColumns :many
SELECT weight FROM shelf_all;

-- name: ViewRenamedColumnOldName :many
SELECT shout FROM shelf_labels;

-- name: MovedTableOldName :many
SELECT id FROM shelf_items;

-- name: EmptyArrayTypedByCast :many
SELECT ARRAY[]::text[] AS a, coalesce(tags, ARRAY[]::text[]) AS t, (ARRAY[])::uuid[], CAST(ARRAY[] AS int[]), ARRAY[]::tag_list AS d FROM people;

-- name: ArrayElementsCastToTheCastsElementType :many
SELECT ARRAY['1', 2, $1]::text[] AS a FROM people WHERE id = ANY(ARRAY[$2, 3]::bigint[]);

-- name: EmptyArrayWithoutCast :one
SELECT ARRAY[] AS a;

-- name: EmptyArrayCastToNonArray :one
SELECT ARRAY[]::text AS a;

-- name: ArrayElementCannotCast :one
SELECT ARRAY[now()]::int[] AS a;

-- name: ExtensionDigest :one
SELECT encode(digest($1, 'sha256'), 'hex') AS api_key_hash;

-- name: ExtensionCrypt :one
SELECT crypt($1, gen_salt('bf', 8)) AS hash, crypt($1, $2) = $2 AS ok;

-- name: ExtensionRandom :one
SELECT gen_random_bytes(16) AS salt, gen_random_uuid() AS builtin_uuid, uuid_generate_v4() AS v4, uuid_generate_v5(uuid_ns_url(), 'squill') AS v5, pgp_sym_encrypt('secret', 'key') AS sealed;

-- name: ExtensionHmacStore :exec
UPDATE accounts SET key_hash = hmac($1, $2, 'sha256') WHERE id = $3;

-- name: TrigramSearch :many
SELECT id, login, similarity(login, $1) AS score, word_similarity($1, login) AS word, login <-> $1 AS distance
FROM accounts WHERE login % $1 ORDER BY login <-> $1 LIMIT 10;

-- name: TrigramScores :many
SELECT similarity(login, 'an') AS score, show_trgm(login) AS trigrams, login % 'an' AS close FROM accounts;

-- name: CitextComparisons :many
SELECT id, login = 'ANN' AS same, login < $1 AS before, upper(login) AS up, login::text AS raw, 'Ann'::citext AS lit, strpos(login, 'N') AS at
FROM accounts WHERE login = $2;

-- name: CitextCastsAndAggregates :one
SELECT max(login) AS last, min(login) AS first, max(login)::varchar AS v, 'x'::text::citext AS c, count(DISTINCT login) AS n FROM accounts;

-- name: CitextSplitPastTheEnd :many
SELECT split_part(login, 'n', 5) AS part, split_part(login::text, 'n', 5) AS text_part FROM accounts;

-- name: ExtensionTypedInsert :one
INSERT INTO accounts (login, attrs, path) VALUES ($1, $2, $3) RETURNING id, login, attrs, path;

-- name: HstoreOperators :many
SELECT id, attrs -> 'color' AS color, attrs -> ARRAY['color', 'size'] AS pair, attrs @> 'size=>NULL' AS sized, akeys(attrs) AS keys, attrs || hstore('seen', 'yes') AS touched, attrs - 'color'::text AS without, hstore_to_jsonb(attrs) AS doc, attrs::json AS doc2, defined(attrs, 'size') AS d, exist(attrs, 'nope') AS present
FROM accounts;

-- name: HstoreEach :many
SELECT a.id, e.key, e.value FROM accounts a, each(a.attrs) AS e;

-- name: HstoreOperatorWrongType :one
SELECT 'a=>1'::hstore -> 1 AS v;

-- name: LtreeOperators :many
SELECT id, path @> $1 AS ancestor, path <@ 'top' AS under, path ~ 'top.*' AS matches, nlevel(path) AS depth, subpath(path, 0, 1) AS head, path || 'leaf' AS child, ltree2text(path) AS dotted
FROM accounts WHERE path <@ $2;

-- name: LtreeCommonAncestor :one
SELECT lca('top.a'::ltree, 'other.b'::ltree) AS none, lca(ARRAY['top.a', 'top.b']::ltree[]) AS top, text2ltree('x.y') AS t;

-- name: FuzzyMatch :many
SELECT id, levenshtein(login, $1) AS edits, soundex(login) AS code, difference(login, 'ann') AS diff, dmetaphone(login) AS meta FROM accounts;

-- name: EarthDistance :one
SELECT earth_distance(ll_to_earth(52.5, 13.4), ll_to_earth(48.9, 2.4)) AS meters, ll_to_earth(0, 0) AS origin, cube(1, 2) AS c, earth() AS radius;

-- name: CrosstabComposite :many
SELECT * FROM crosstab2('SELECT name, ''a'', nick::text FROM people ORDER BY 1') AS ct;

-- name: QualifiedExtensionFunction :one
SELECT extras.icount(ARRAY[1, 2, 3]) AS n, extras.sort(ARRAY[3, 1, 2]) AS sorted, extras.idx(ARRAY[5, 6], 6) AS at;

-- name: ExtensionFunctionOffThePath :one
SELECT icount(ARRAY[1, 2, 3]) AS n;

-- name: CompositeFieldSelection :many
SELECT (shape).w, (b.shape).unit, (box_shape(b.id)).h AS h FROM boxes b;

-- name: CompositeColumnStar :many
SELECT id, (shape).*, (b.shape).* FROM boxes b;

-- name: WholeRowStarIsTheTablesColumns :many
SELECT (b).* FROM boxes b;

-- name: WholeRowFields :many
SELECT (b).id, (o).name FROM boxes b LEFT JOIN people o ON o.id = b.owner_id;

-- name: FunctionResultStar :many
SELECT (box_shape(id)).* FROM boxes;

-- name: CteCompositeColumnStar :many
WITH s AS (SELECT shape AS b FROM boxes) SELECT (b).* FROM s;

-- name: SubqueryWholeRowField :one
SELECT (s).n FROM (SELECT 1 AS n) s;

-- name: RowOfExpansion :many
SELECT ROW((shape).*, id) AS r, ((b).*, 1) AS t FROM boxes b;

-- name: CompositeFieldMissing :many
SELECT (shape).depth FROM boxes;

-- name: FieldOfNonComposite :many
SELECT (id).w FROM boxes;

-- name: StarOfNonComposite :many
SELECT (id).* FROM boxes;

-- name: ExpansionInFunctionArgument :many
SELECT count((b).*) FROM boxes b;

-- name: WholeRowFieldMissing :many
SELECT (b).nope FROM boxes b;

-- name: ColumnDefinitionList :many
SELECT r.a, r.b FROM json_to_record('{"a": 1, "b": "x"}') AS r(a int, b text);

-- name: ColumnDefinitionListSet :many
SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, "Tags" varchar(3)[], e email);

-- name: LateralColumnDefinitionList :many
SELECT p.id, x.k FROM people p, LATERAL jsonb_to_record(p.meta) AS x(k int);

-- name: SchemaRecordFunction :many
SELECT * FROM loose_rows() AS r(n int, s text);

-- name: WholeRowOfColumnDefinitionList :many
SELECT r FROM json_to_record('{"a": 1}') AS r(a int);

-- name: ColumnDefinitionListRequired :many
SELECT * FROM json_to_record('{}');

-- name: ColumnDefinitionListNotRecord :many
SELECT * FROM generate_series(1, 2) AS g(n int);

-- name: ColumnDefinitionListRedundantOut :many
SELECT * FROM pg_get_keywords() AS k(w text);

-- name: ColumnDefinitionListRedundantComposite :many
SELECT * FROM pets_of(1) AS p(id int);

-- name: ColumnDefinitionListWithOrdinality :many
SELECT * FROM json_to_record('{}') WITH ORDINALITY AS r(a int);

-- name: ColumnDefinitionListDuplicate :many
SELECT * FROM json_to_record('{}') AS r(a int, a text);

-- name: ColumnDefinitionListPseudoType :many
SELECT * FROM json_to_record('{}') AS r(a anyelement);

-- name: UnnestSeveralWithColumnDefinitions :many
SELECT * FROM unnest(ARRAY[1], ARRAY[2]) AS t(a int, b int);

-- name: SchemaOperator :many
SELECT name ~>> 'm' AS later FROM people;

-- name: SchemaOperatorWrongOperand :many
SELECT name ~>> 1 FROM people;

-- name: PrefixOperatorOnSchemaType :many
SELECT -span FROM slots;

-- name: CompositeOperatorMismatch :many
SELECT shape + 1 FROM boxes;

-- name: RollupTotals :many
SELECT mood, born, count(*) AS n, sum(id) AS ids, grouping(mood, born) AS g, coalesce(mood::text, 'all') AS label
FROM people GROUP BY ROLLUP (mood, born) ORDER BY g;

-- name: CubeAndSets :many
SELECT p.name, count(*) AS n FROM pets p GROUP BY CUBE (p.name);

-- name: GroupingSetsList :many
SELECT mood, age, max(name) AS top FROM people GROUP BY GROUPING SETS ((mood), (age), ());

-- name: RollupOnEmpty :many
SELECT mood, count(*) AS n, max(id) AS m FROM people WHERE false GROUP BY ROLLUP (mood);

-- name: UpsertReportsInserted :one
INSERT INTO toys (pet_id, label) VALUES ($1, $2)
ON CONFLICT (id) DO UPDATE SET label = excluded.label
RETURNING *, (xmax = 0) AS inserted;

-- name: SystemColumns :many
SELECT ctid, xmin, xmax, cmin, cmax, tableoid, p.xmin AS px FROM pets p;

-- name: SystemColumnsOuterJoin :many
SELECT p.ctid, t.xmin, t.ctid AS toy_ctid FROM pets p LEFT JOIN toys t ON t.pet_id = p.id;

-- name: SystemColumnsOfMaterializedViewAndCatalog :many
SELECT m.xmin, c.ctid, c.tableoid FROM pet_counts m, pg_class c;

-- name: UpdateReturningSystemColumns :many
UPDATE toys SET label = $1 WHERE id = $2 RETURNING ctid, xmax;

-- name: SystemColumnOfView :many
SELECT xmin FROM pet_owners;

-- name: SystemColumnOfSubquery :many
SELECT xmin FROM (SELECT * FROM pets) s;

-- name: SystemColumnAmbiguous :many
SELECT xmin FROM pets, toys;

-- name: SystemColumnOfExcluded :exec
INSERT INTO toys (pet_id, label) VALUES (1, 'x')
ON CONFLICT (id) DO UPDATE SET label = excluded.xmin::text;

-- name: SystemColumnHiddenByJoin :many
SELECT xmin FROM pets JOIN toys ON true;

-- name: LikeAnyArray :many
SELECT name FROM people WHERE name LIKE ANY (ARRAY['a%', 'b%']) AND nick NOT ILIKE ANY ($1);

-- name: LikeAllArrayAndSubquery :many
SELECT name LIKE ALL (ARRAY['a%']) AS all_a, nick ILIKE ALL (SELECT label FROM toys) AS all_toys
FROM people;

-- name: LikeAnySubquery :many
SELECT id FROM people WHERE nick NOT LIKE ANY (SELECT name FROM pets);

-- name: LikeEscape :many
SELECT name LIKE 'a!%%' ESCAPE '!' AS literal_percent, nick ILIKE $1 ESCAPE $2 AS matches
FROM people;

-- name: LikeAnyWithEscape :many
SELECT name LIKE ANY (ARRAY['a%']) ESCAPE '!' FROM people;

-- name: LikeEscapeNotText :many
SELECT name LIKE 'a' ESCAPE 1 FROM people;

-- name: LikeAnyOfNonArray :many
SELECT name LIKE ANY ((SELECT tags FROM people LIMIT 1)) FROM people;

-- name: UpsertPartialIndex :one
INSERT INTO toys (pet_id, label) VALUES ($1, $2)
ON CONFLICT (pet_id, lower(label)) WHERE label <> '' AND label <> $3 AND id > $4
DO UPDATE SET label = excluded.label WHERE toys.id > $5
RETURNING id;

-- name: UpsertOnConstraint :exec
INSERT INTO toys (pet_id, label) VALUES ($1, $2)
ON CONFLICT ON CONSTRAINT toys_pkey DO UPDATE SET label = excluded.label;

-- name: ConflictTargetOrderAndAlias :exec
INSERT INTO toys AS t (pet_id, label) VALUES ($1, $2)
ON CONFLICT (pet_id, lower(label)) WHERE t.label <> '' DO NOTHING;

-- name: ConflictTargetOrdering :exec
INSERT INTO toys (pet_id, label) VALUES (1, 'x') ON CONFLICT (pet_id DESC) DO NOTHING;

-- name: ConflictUnknownColumn :exec
INSERT INTO toys (pet_id, label) VALUES (1, 'x') ON CONFLICT (nope) DO NOTHING;

-- name: ConflictPredicateTypeMismatch :exec
INSERT INTO toys (pet_id, label) VALUES (1, 'x') ON CONFLICT (label) WHERE label = 1 DO NOTHING;

-- name: ConflictPredicateExcluded :exec
INSERT INTO toys (pet_id, label) VALUES (1, 'x')
ON CONFLICT (label) WHERE excluded.label = 'a' DO NOTHING;

-- name: ConflictPredicateAggregate :exec
INSERT INTO toys (pet_id, label) VALUES (1, 'x') ON CONFLICT (label) WHERE count(*) > 1 DO NOTHING;

-- name: ConflictPredicateSubquery :exec
INSERT INTO toys (pet_id, label) VALUES (1, 'x') ON CONFLICT (label) WHERE (SELECT true) DO NOTHING;

-- name: ConflictDoUpdateWithoutTarget :exec
INSERT INTO toys (pet_id, label) VALUES (1, 'x') ON CONFLICT DO UPDATE SET label = 'y';

-- name: LockingClauses :many
SELECT p.id, t.label FROM pets p JOIN toys t ON t.pet_id = p.id
FOR NO KEY UPDATE OF p, t SKIP LOCKED;

-- name: LockingStrengths :many
SELECT id FROM people FOR UPDATE OF people NOWAIT FOR KEY SHARE;

-- name: LockingSharePushedIntoSubquery :many
SELECT s.id FROM (SELECT id FROM pets WHERE name <> $1) s, generate_series(1, 2) g
FOR SHARE;

-- name: LockingValuesSubquery :many
SELECT * FROM (VALUES (1)) v, toys FOR UPDATE OF v, toys;

-- name: LockingOfUnknownRelation :many
SELECT id FROM people FOR UPDATE OF nope;

-- name: LockingOfAliasedTableName :many
SELECT id FROM people p FOR UPDATE OF people;

-- name: LockingWithAggregate :many
SELECT count(*) FROM people FOR UPDATE;

-- name: LockingSubqueryWithGroupBy :many
SELECT * FROM (SELECT owner_id, count(*) FROM pets GROUP BY owner_id) s FOR UPDATE;

-- name: LockingOfJoin :many
SELECT * FROM (pets JOIN toys ON true) j FOR UPDATE OF j;

-- name: LockingOfFunction :many
SELECT * FROM generate_series(1, 2) g FOR UPDATE OF g;

-- name: LockingOfCte :many
WITH c AS (SELECT 1) SELECT * FROM c, pets FOR UPDATE OF c;

-- name: LockingQualifiedName :many
SELECT * FROM pets FOR UPDATE OF public.pets;

-- name: LockingWithDistinct :many
SELECT DISTINCT id FROM pets FOR NO KEY UPDATE;

-- name: LockingWithWindow :many
SELECT id, row_number() OVER () FROM pets FOR KEY SHARE;

-- name: LockingWithTargetListSrf :many
SELECT id, generate_series(1, 2) FROM pets FOR UPDATE;

-- name: ArraySlices :many
SELECT tags[1:2] AS both_bounds, tags[:2] AS upper_only, tags[2:] AS lower_only, tags[:] AS whole,
    tags[$1:$2] AS params, (ARRAY[1, 2, 3])[2:3] AS literal, tags[1][1] AS element
FROM people;

-- name: SetArrayElement :exec
UPDATE people SET tags[$1] = $2 WHERE id = $3;

-- name: SetArraySlice :one
UPDATE people SET tags[1:2] = $1, name = $2 WHERE id = $3 RETURNING tags[1] AS first;

-- name: UpsertArrayElement :exec
INSERT INTO people (name, email) VALUES ($1, $2)
ON CONFLICT (id) DO UPDATE SET tags[$3] = excluded.name;

-- name: ArraySubscriptNotInteger :exec
UPDATE people SET tags['a'::text] = 'x';

-- name: SetSubscriptOfNonArray :exec
UPDATE people SET age[1] = 1;

-- name: SetArrayElementToDefault :exec
UPDATE people SET tags[1] = DEFAULT;

-- name: CallProcedure :exec
CALL rename_pet($1, $2);

-- name: CallProcedureNamedDefault :exec
CALL rename_pet(pet => $1);

-- name: CallProcedureWrongArguments :exec
CALL rename_pet(1, 2, 3);

-- name: CallFunction :exec
CALL greet('a');

-- name: SelectProcedure :many
SELECT rename_pet(1, 'a');

-- name: TruncateTables :exec
TRUNCATE TABLE toys, ONLY pets RESTART IDENTITY CASCADE;

-- name: NullifTypes :many
SELECT nullif(name, '') AS n, nullif(age, 0) AS a, nullif($1, 'x') AS p, nullif(id, 1.5) AS i,
    nullif('a', name) AS u, nullif(age::int2, 1) AS s, nullif(age::int2, 1.5) AS s2,
    nullif(age::int2, 1::int8) AS s3, nullif('1', 2) AS w, nullif(mood, 'ok') AS m
FROM people;

-- name: NullifNoOperator :many
SELECT nullif(1, 'a'::text);

-- name: RowAnySubquery :many
SELECT id FROM pets
WHERE (id, name) = ANY (SELECT pet_id, label FROM toys)
   OR ROW(id, name) <> ALL (SELECT pet_id, label FROM toys WHERE label = $1)
   OR (id, name) < ANY (SELECT pet_id, label FROM toys);

-- name: RowInSubqueryAndList :many
SELECT id,
    (id, name) IN (SELECT pet_id, label FROM toys) AS in_toys,
    (id, name) NOT IN ((1, 'a'), ($1, $2)) AS not_listed,
    (id, name) IN ((1, 'a'), p) AS whole_row
FROM pets p;

-- name: RowAnySubqueryTooFewColumns :many
SELECT id FROM pets WHERE (id, name) = ANY (SELECT pet_id FROM toys);

-- name: ScalarAnySubqueryTooManyColumns :many
SELECT id FROM pets WHERE id = ANY (SELECT pet_id, label FROM toys);

-- name: RowInListOfScalar :many
SELECT id FROM pets WHERE (id, name) IN ((1, 'a'), 2);

-- name: RowsAsJson :many
SELECT p.id, row_to_json(p) AS pet, to_json(p) AS pet_json, to_jsonb(p.*) AS pet_jsonb,
    (SELECT array_to_json(array_agg(t)) FROM toys t WHERE t.pet_id = p.id) AS toys,
    (SELECT array_to_json(array_agg(s)) FROM (SELECT id, label FROM toys) s) AS labels,
    to_json(ROW(p.id, p.name)) AS pair
FROM pets p;

-- name: RecordArrays :many
SELECT array_length(array_agg(s), 1) AS n, json_agg(s) AS rows, array_agg(s) AS records
FROM (SELECT id, label FROM toys) s;

-- name: SequenceAsRelation :one
SELECT last_value, log_cnt, is_called, s.xmin FROM ticket_seq s;

-- name: SequenceStar :one
SELECT * FROM public.ticket_seq;

-- name: SequenceOuterJoin :many
SELECT p.id, s.last_value FROM pets p LEFT JOIN ticket_seq s ON p.id = 0;

-- name: ParamFirstUseEnum :many
SELECT id FROM people WHERE mood = $1 AND ($1::mood IS NOT NULL OR $1::text <> '');

-- name: ParamFirstUseWhereBeforeDistinctOn :many
SELECT DISTINCT ON ($1::text) id FROM people WHERE id = $1;

-- name: ParamFirstUseOffsetBeforeLimit :many
SELECT id FROM people LIMIT $1 OFFSET $1::int;

-- name: ParamFirstUseUpdateWhereBeforeSet :exec
UPDATE people SET name = $1 WHERE $1::int > 0;

-- name: ParamFirstUseHavingBeforeGroupBy :many
SELECT count(*) AS n FROM people GROUP BY $1::int HAVING $1 > 0::int8;

-- name: ParamFirstUseCaseWhenBeforeElse :many
SELECT CASE WHEN $1 > 0 THEN 1 ELSE $1::bigint END AS c FROM people;

-- name: ParamFirstUseValuesRows :exec
INSERT INTO pets (id, name) VALUES (1, $1), (2, $1::int);

-- name: ParamInconsistentInOneRow :exec
INSERT INTO pets (name, id) VALUES ($1, $1::int);

-- name: ParamInconsistentInSetList :exec
UPDATE people SET name = $1, age = $1::int;

-- name: CopyToysWithCasts :copyfrom
INSERT INTO toys (pet_id, label) VALUES (@pet_id::integer, @label);

-- name: ConflictPredicateWindow :exec
INSERT INTO toys (pet_id, label) VALUES (1, 'x')
ON CONFLICT (label) WHERE row_number() OVER () > 0 DO NOTHING;

-- name: ConflictExpressionWindow :exec
INSERT INTO toys (pet_id, label) VALUES (1, 'x') ON CONFLICT ((row_number() OVER ())) DO NOTHING;

-- name: WindowDefinitionParams :many
SELECT row_number() OVER (PARTITION BY $1 ORDER BY $2) AS n FROM people;

-- name: WindowDefinitionAfterWhere :many
SELECT row_number() OVER (PARTITION BY $1) AS n FROM people WHERE id = $1;

-- name: WindowFrameOffsets :many
SELECT sum(id) OVER (ORDER BY id ROWS BETWEEN $1 PRECEDING AND '1' FOLLOWING) AS s,
    count(*) OVER (ORDER BY age GROUPS 2 PRECEDING) AS c
FROM people;

-- name: SortAndGroupByParameters :many
SELECT count(*) AS n FROM people GROUP BY $1 ORDER BY $2;

-- name: WindowDefinitionUnknownColumn :many
SELECT row_number() OVER (PARTITION BY nope) FROM people;

-- name: WindowFrameOffsetNotBigint :many
SELECT sum(id) OVER (ORDER BY id ROWS name PRECEDING) FROM people;

-- name: WindowFrameOffsetVariable :many
SELECT sum(id) OVER (ORDER BY id ROWS age PRECEDING) FROM people;

-- name: WindowFrameOffsetOuterColumn :many
SELECT (SELECT sum(t.id) OVER (ORDER BY t.id ROWS p.id PRECEDING) FROM toys t LIMIT 1) AS s
FROM pets p;

-- name: OffsetsAssignedToBigint :many
SELECT sum(id) OVER (ORDER BY id ROWS 1.5 PRECEDING) AS s FROM people LIMIT 1.5 OFFSET $1::numeric;

-- name: LimitNotBigint :many
SELECT id FROM people LIMIT '2'::text;

-- name: LikeOverOtherStringTypes :many
SELECT nick LIKE $1 ESCAPE '#' AS v, login ILIKE ANY ($2) AS c, key_hash LIKE ANY (ARRAY['a'::bytea]) AS b
FROM people, accounts;

-- name: SliceAssignmentWithSubscriptFilter :exec
UPDATE people SET tags[1:2] = ARRAY['a', 'b'] WHERE tags[1] = $1;

-- name: RowAnySubqueryParams :many
SELECT id FROM people WHERE (id, name) = ANY (SELECT $1::bigint, $2);

-- Parameter nullability (`analyze::optional`).
-- name: ParamsMultiRowValues :exec
INSERT INTO people (name, nick, email) VALUES ($1, $2, $3), ($4, $5::text, $6);

-- name: ParamsUpsertSet :exec
INSERT INTO pets (id, name, weight) VALUES ($1, $2, $3)
ON CONFLICT (id) DO UPDATE SET weight = $4, owner_id = $5;

-- name: ParamsInsertSelectSqlcArg :exec
INSERT INTO pets (name, weight) SELECT sqlc.arg(name), sqlc.arg(weight);

-- name: ParamsOptionalFilter :many
SELECT id FROM people WHERE (@nick::text IS NULL OR nick = @nick) AND name = @name;

-- name: ParamsCoalesce :exec
UPDATE people SET name = coalesce(@name, name), age = coalesce(age, @age) WHERE id = @id;

-- name: ParamsNotDistinct :many
SELECT id FROM people WHERE nick IS NOT DISTINCT FROM $1 OR nick = $2;

-- name: ParamsNotNullUseWins :exec
INSERT INTO pets (name) SELECT @name::text WHERE @name IS NOT NULL;
