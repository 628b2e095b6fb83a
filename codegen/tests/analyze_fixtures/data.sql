-- Rows that provoke NULLs: a person with nothing optional set, a pet without an owner,
-- a person without pets, a pet without toys.
INSERT INTO people (name, email) VALUES ('ann', 'ann@example.com'), ('bob', 'bob@example.com');
INSERT INTO pets (owner_id, name) VALUES (1, 'rex'), (NULL, 'stray');
INSERT INTO toys (pet_id, label) VALUES (1, 'ball');
INSERT INTO slots (span) VALUES ('[1, 5)'), ('(,)');
INSERT INTO depot.crates (title) VALUES ('box');
INSERT INTO depot.bins (id, crate_id) VALUES (1, 1), (2, NULL);
INSERT INTO accounts (login, attrs, path) VALUES ('Ann', 'color=>red, size=>NULL', 'top.a'), ('bob', '', 'other');
INSERT INTO boxes (shape, owner_id) VALUES (NULL, NULL), (ROW(1, 2, NULL), 1);
