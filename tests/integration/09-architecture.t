#!/usr/bin/env bash
# docs/architecture.md's include rules hold for the tree, and the check run by `make lint`
# (scripts/check-includes) catches each kind of breach: a library header in the wrong part, a
# project header across parts, a module missing from the page.
. "$(dirname "$0")/lib.sh"
plan 6

out=$("$SRCDIR/scripts/check-includes" "$SRCDIR" 2>&1); rc=$?
is "$rc" 0 "the tree follows docs/architecture.md"
[ "$rc" -eq 0 ] || diag "$out"

# A copy of src/ and the page, broken one way at a time.
breach() {
	rm -rf "$T_TMP/tree"; mkdir -p "$T_TMP/tree/docs"
	cp -r "$SRCDIR/src" "$T_TMP/tree/src"
	cp "$SRCDIR/docs/architecture.md" "$T_TMP/tree/docs/"
	"$@"
	"$SRCDIR/scripts/check-includes" "$T_TMP/tree" 2>&1
}
add_line() { sed -i "1i $2" "$T_TMP/tree/src/$1"; }

out=$(breach add_line store.c '#include <curses.h>'); rc=$?
is "$rc" 1 "curses in the store is refused"
like "$out" "src/store.c:1: part 'storage' may not use curses" "... naming file, line, part and library"
out=$(breach add_line ui_result.c '#include "store.h"')
like "$out" "src/ui_result.c:1: part 'screens' may not include \"store.h\" \\(part 'storage'\\)" \
    "a screen including the store is refused"
out=$(breach add_line model.h '#include "util.h"')
like "$out" "src/model.h:1: part 'model' may not include \"util.h\"" "the model includes nothing of the project"
new_module() { printf '/* x */\n' > "$T_TMP/tree/src/stray.c"; }
out=$(breach new_module)
like "$out" "module 'stray' is in no part" "a module the page does not list is refused"
done_testing
