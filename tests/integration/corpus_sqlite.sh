#!/bin/bash
# Corpus (issue 14): the sqlite3 CLI through profile -> run, with a
# rollback journal (journal_mode=DELETE: t.db-journal created and deleted
# per transaction) and with WAL (t.db-wal, t.db-shm, removed at close).
# Profiled on 3 inserts into a new database, run on 3000 (60 transactions)
# into a new one under deny and under kill: same query output as sqlite3
# without bpfguard, no event, exit 0. Out of policy: ATTACH of a database
# in another directory fails (sqlite's "unable to open database") with a
# run_file event naming it.
# vm: also
# vm-files: /usr/bin/sqlite3
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd sqlite3
BPFGUARD=$(realpath "$BPFGUARD")
D=$TMP/bgco-sq/db
O=$TMP/bgco-sq/other
mkdir -p "$D" "$O"
sqlite3 "$O/other.db" "CREATE TABLE x(a); INSERT INTO x VALUES (42);" || fail "other.db"
cd "$D" || fail "cd $D"

# sql MODE N: N rows in transactions of 50, an index, two queries.
sql() {
	local i=0
	echo "PRAGMA journal_mode=$1;"
	echo "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, name TEXT, v REAL);"
	while [ $i -lt "$2" ]; do
		[ $((i % 50)) = 0 ] && echo "BEGIN;"
		echo "INSERT INTO t(name, v) VALUES ('row$i', $i.5);"
		i=$((i + 1))
		if [ $((i % 50)) = 0 ] || [ $i = "$2" ]; then echo "COMMIT;"; fi
	done
	echo "CREATE INDEX IF NOT EXISTS tn ON t(name);"
	echo "SELECT count(*), sum(v), min(name), max(name) FROM t;"
	echo "SELECT name FROM t ORDER BY name DESC LIMIT 3;"
}

for mode in delete wal; do
	sql $mode 3 >"$TMP/p.sql"
	sql $mode 3000 >"$TMP/r.sql"
	rm -f t.db
	"$BPFGUARD" profile -o "$TMP/$mode.yaml" -- sqlite3 t.db <"$TMP/p.sql" >"$TMP/prof.out" 2>&1 ||
		fail "$mode: profile: $(cat "$TMP/prof.out")"
	want=("$D/t.db-journal: read, write, create, remove")
	[ $mode = wal ] && want+=("$D/t.db-wal: read, write, create, remove")
	for w in "${want[@]}"; do
		grep -qxF -- "- $w" "$TMP/$mode.yaml" || fail "$mode: no '$w': $(grep "$D" "$TMP/$mode.yaml")"
	done
	grep -q "^- $D/t.db-shm: .*create.*remove" "$TMP/$mode.yaml" ||
		[ $mode = delete ] || fail "$mode: no shm entry: $(grep "$D" "$TMP/$mode.yaml")"
	rm -f t.db
	sqlite3 t.db <"$TMP/r.sql" >"$TMP/ref.out" 2>&1 || fail "$mode: reference: $(cat "$TMP/ref.out")"
	grep -qx "3000|4500000.0|row0|row999" "$TMP/ref.out" || fail "$mode: reference: $(cat "$TMP/ref.out")"
	for action in deny kill; do
		rm -f t.db
		corpus_run "$TMP/$mode.yaml" $action "$TMP/ref.out" sqlite3 t.db <"$TMP/r.sql"
		[ "$(ls)" = t.db ] || fail "$mode $action: left $(ls)"
	done
	M=$(grep -o "files: [a-z]*" "$TMP/run.err" | head -1)

	# Out of policy: ATTACH of a database in another directory.
	: >"$TMP/ev"
	"$BPFGUARD" run --policy "$TMP/$mode.yaml" --action deny --json --output "$TMP/ev" -- \
		sqlite3 t.db "ATTACH '$O/other.db' AS o; SELECT a FROM o.x;" >"$TMP/att.out" 2>&1
	rc=$?
	[ $rc != 0 ] && grep -q "unable to open database" "$TMP/att.out" &&
		! grep -qx 42 "$TMP/att.out" || fail "$mode: ATTACH not refused: rc $rc: $(cat "$TMP/att.out")"
	grep -q "\"path\":\"$O/other.db\",\"operation\":\"open\"" "$TMP/ev" ||
		fail "$mode: no event for other.db: $(cat "$TMP/ev")"
	grep -q '"type":"run_file","action":"deny"' "$TMP/ev" || fail "$mode: event: $(cat "$TMP/ev")"
	echo "$mode ($M): 3000 rows as without bpfguard under deny and kill; ATTACH refused:" \
		"$(grep -o '"mechanism":"[a-z]*"' "$TMP/ev" | head -1)"
done
echo "ok: sqlite3 journal and WAL under their profiles"
