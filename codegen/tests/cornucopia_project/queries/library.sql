-- Authors and books, in cornucopia's dialect.

--: Author(age?)

--! authors : Author
SELECT id, name, age FROM authors ORDER BY id;

-- Authors of a country; with no country, those whose country is unknown.
--! authors_from_country (country?) : Author
SELECT id, name, age FROM authors WHERE country IS NOT DISTINCT FROM :country;

--! author_names : (name?)
SELECT name FROM authors ORDER BY name;

--! countries : Countries(country)
SELECT DISTINCT country, count(*) AS authors FROM authors GROUP BY country;

--! book_titles : Titles()
--- Titles, with the author's name where there is one.
SELECT b.title, a.name AS author
FROM books b
LEFT JOIN authors a ON a.id = b.author_id
WHERE b.title <> ':not_a_parameter' AND b.id > :after::bigint;

--! insert_author (country?)
INSERT INTO authors (name, country, age) VALUES (:name, :country, :age) RETURNING id;

--! delete_author
DELETE FROM authors WHERE id = :id;
