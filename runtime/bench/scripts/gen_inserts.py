#!/usr/bin/env python3
"""Writes queries/inserts.sql: InsertUsers1/10/100, fixed-size multi-row inserts with the same
SQL text the hand-written baselines prepare. Run from runtime/bench."""
out = [
    "-- Fixed-size multi-row inserts: the same SQL the hand-written baselines prepare.",
    "-- Written by scripts/gen_inserts.py; edit that instead.",
    "",
]
for n in (1, 10, 100):
    vals = ",\n".join(f"    (@name_{i}, sqlc.narg(hair_color_{i}))" for i in range(1, n + 1))
    out.append(f"-- name: InsertUsers{n} :execrows")
    out.append(f"INSERT INTO users (name, hair_color) VALUES\n{vals};")
    out.append("")
with open("queries/inserts.sql", "w") as f:
    f.write("\n".join(out))
