#!/bin/bash
# Corpus (issue 14): a namespaced PHP application (tests/corpus/shop/)
# with no composer: Debian's autoloaders for php-twig and php-symfony-yaml
# from /usr/share/php, its own classes in src/Shop/. It reads data.yaml,
# loads the items into SQLite through PDO (a rollback journal per
# transaction), renders a Twig template (inheritance, a filter, a loop)
# and prints JSON. Profiled on 5 items, run on 1000 under `run --action
# kill`: no kill, no event, exit 0, output identical to php without
# bpfguard. Out of policy: the app evaluates a "note" from its data file;
# a note calling system('touch F') is killed before F exists, with a
# php_call event naming system and the eval'd code.
# In the VM too (6.1: PHP built-ins checked per call, files by BPF LSM):
# PHP with its extensions, ini files and the two libraries (about 13 MB).
# vm: also
# vm-files: /usr/bin/php8.2 /usr/share/php /usr/lib/php /etc/php tests/corpus/shop
. "$(dirname "$0")/../lib.sh"
need_root
PHP=$(command -v php8.2 || command -v php) || skip "needs php8.2-cli"
for f in /usr/share/php/Twig/autoload.php /usr/share/php/Symfony/Component/Yaml/autoload.php; do
	[ -r $f ] || skip "needs $f (php-twig, php-symfony-yaml)"
done
"$PHP" -m | grep -qx pdo_sqlite || skip "needs PDO sqlite (php8.2-sqlite3)"
BPFGUARD=$(realpath "$BPFGUARD")
A=$TMP/bgco-shop
cp -r "$SRC/tests/corpus/shop" "$A"
mkdir -p "$A/var"
# Without opcache: its lock file has a random name (php_web.sh).
php() { "$@" "$PHP" -d opcache.enable_cli=0 "$A/app.php"; }
data() { "$PHP" "$A/gen.php" "$@" >"$A/var/data.yaml" || fail "gen.php $*"; }

data 5
php "$BPFGUARD" profile -o "$TMP/shop.yaml" -- >"$TMP/prof.out" 2>"$TMP/prof.err" ||
	fail "profile: $(cat "$TMP/prof.err")"
grep -q "SHOP OF 5: 5 items" "$TMP/prof.out" || fail "profiled output: $(cat "$TMP/prof.out")"
grep -q '"Symfony\\\\Component\\\\Yaml\\\\Parser::parse": \[' "$TMP/shop.yaml" ||
	fail "namespaced method not recorded: $(grep -m5 Symfony "$TMP/shop.yaml")"
grep -q "^- $A/var/shop.db-journal: .*create.*remove" "$TMP/shop.yaml" ||
	fail "journal not recorded: $(grep "$A/var" "$TMP/shop.yaml")"

data 1000
php >"$TMP/ref.out" 2>"$TMP/ref.err" || fail "reference: $(cat "$TMP/ref.out" "$TMP/ref.err")"
grep -q '^{"n":1000,' "$TMP/ref.out" || fail "reference: $(tail -2 "$TMP/ref.out")"
corpus_run "$TMP/shop.yaml" kill "$TMP/ref.out" "$PHP" -d opcache.enable_cli=0 "$A/app.php"

# Out of policy: the data's note runs system().
data 1000 "system('touch $TMP/F'); return 'x';"
php "$BPFGUARD" run --policy "$TMP/shop.yaml" --action kill --json --output "$TMP/inj.ev" -- \
	>"$TMP/inj.out" 2>"$TMP/inj.err"
rc=$?
[ $rc = 137 ] || fail "injection: rc $rc: $(cat "$TMP/inj.err")"
[ ! -e "$TMP/F" ] || fail "injection: F exists"
grep -q '"php":{"function":"system","builtin":true,"file":"'"$A"'/app.php([0-9]*) : eval()'"'"'d code"' \
	"$TMP/inj.ev" || fail "no php_call event for system: $(cat "$TMP/inj.ev")"
grep -q '"type":"php_call","action":"kill"' "$TMP/inj.ev" || fail "event: $(cat "$TMP/inj.ev")"
echo "ok: PHP app (twig, symfony yaml, PDO sqlite) on 1000 items under kill; system() killed"
