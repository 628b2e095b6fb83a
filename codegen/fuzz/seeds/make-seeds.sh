#!/usr/bin/env bash
# Writes the fuzz seeds (pipeline/, lint/) from the shared corpus and the demo app, in the
# targets' input format: files separated by NUL bytes, each its relative path on the first line.
# Usage: codegen/fuzz/seeds/make-seeds.sh [CORPUS_DIR]   (default /work/shared/corpus)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
corpus="${1:-/work/shared/corpus}"
rm -rf "$here/pipeline" "$here/lint"
mkdir -p "$here/pipeline" "$here/lint"

# emit PATH_IN_SEED FILE...: one seed file entry per argument pair, NUL-separated.
entry() { printf '%s\n' "$1"; cat "$2"; }

# Pipeline: the demo project, each small sqlc end-to-end case (schema.sql + query.sql), and the
# samling queries next to their migrations (cornucopia syntax).
{
    first=1
    for f in "$repo"/schema/*.sql "$repo"/queries/*.sql; do
        [ $first = 1 ] || printf '\0'
        first=0
        entry "${f#"$repo"/}" "$f"
    done
} > "$here/pipeline/demo"
for case in "$corpus"/sqlc-endtoend/*/; do
    schema=$(find "$case" -name schema.sql | sort | head -1)
    query=$(find "$case" -name query.sql | sort | head -1)
    [ -n "$schema" ] && [ -n "$query" ] || continue
    [ $(( $(stat -c%s "$schema") + $(stat -c%s "$query") )) -le 4096 ] || continue
    { entry schema/0001_schema.sql "$schema"; printf '\0'; entry queries/query.sql "$query"; } \
        > "$here/pipeline/endtoend-$(basename "$case")"
done
for ex in authors booktest ondeck; do
    dir="$corpus/sqlc-examples/examples/$ex/postgresql"
    [ -d "$dir" ] || continue
    {
        n=0
        for f in $(find "$dir" -name '*.sql' | sort); do
            [ $n = 0 ] || printf '\0'
            n=$((n + 1))
            case "$f" in
                *schema*) entry "schema/$(printf '%04d' $n)_$(basename "$f")" "$f" ;;
                *) entry "queries/$(basename "$f")" "$f" ;;
            esac
        done
    } > "$here/pipeline/example-$ex"
done

# Lint: migration folders (the demo's, samling's, minder's first files) and each end-to-end
# schema as a one-file folder.
lint_seed() {
    local out="$1"; shift
    local n=0
    for f in "$@"; do
        [ $n = 0 ] || printf '\0'
        n=$((n + 1))
        entry "migrations/$(basename "$f")" "$f"
    done > "$out"
}
lint_seed "$here/lint/demo" "$repo"/schema/*.sql
lint_seed "$here/lint/samling" $(find "$corpus/clorinde-samling/samling/migrations" -name '*.sql' -size -12k | sort)
lint_seed "$here/lint/minder" $(find "$corpus/sqlc-minder/database/migrations" -name '*.up.sql' -size -3k | sort | head -40)
for case in "$corpus"/sqlc-endtoend/*/; do
    schema=$(find "$case" -name schema.sql | sort | head -1)
    [ -n "$schema" ] && [ "$(stat -c%s "$schema")" -le 2048 ] || continue
    printf 'migrations/0001_schema.sql\n' > "$here/lint/endtoend-$(basename "$case")"
    cat "$schema" >> "$here/lint/endtoend-$(basename "$case")"
done
du -sh "$here/pipeline" "$here/lint"
