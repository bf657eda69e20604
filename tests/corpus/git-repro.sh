#!/bin/bash
# A reproducer, not a test (issue 14, git; not in make check): git under
# its own profile is killed on the same input. git's temporary files have
# random names (.git/XXXXXX from mkstemp, .git/objects/NN/tmp_obj_XXXXXX),
# and its objects are named by their contents, so a policy of exact names
# recorded on one run cannot name them on the next; the objects'
# directories differ too (.git/objects/NN/ by hash). Prints the run's exit
# status and the refused names. Run as root from the source tree:
#   tests/corpus/git-repro.sh [build/bpfguard]
set -u
B=$(realpath "${1:-build/bpfguard}")
W=$(mktemp -d /tmp/bgco-git.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
cat >g.sh <<'SH'
set -e
n=$1
git init -q -b main repo
cd repo
git config user.email t@example.org
git config user.name Tester
mkdir -p src
i=0
while [ $i -lt "$n" ]; do
	echo "int f$i(void) { return $i; }" >src/f$i.c
	i=$((i + 1))
done
git add .
GIT_AUTHOR_DATE=2024-01-01T00:00:00Z GIT_COMMITTER_DATE=2024-01-01T00:00:00Z git commit -q -m first
git log --stat --format='%H %s'
SH
HOME=$W "$B" profile -o p.yaml -- /bin/sh g.sh 2 >prof.out 2>&1 || { cat prof.out; exit 1; }
for n in 2 30; do
	rm -rf repo
	HOME=$W "$B" run --policy p.yaml --action deny --json --output ev$n -- /bin/sh g.sh $n >out$n 2>&1
	echo "input $n files: exit $?; refused: $(grep -o '"path":"[^"]*"' ev$n | sort -u | tr '\n' ' ')"
done
