#!/bin/bash
# mkdeb.sh OUTDIR — `make deb`: builds tramdo's Debian package from debian/ and prints its path,
# OUTDIR/tramdo_VERSION_ARCH.deb.
#
# The build runs on a copy of this tree in OUTDIR/tramdo-VERSION, never in the tree itself:
# debhelper's clean step runs `make clean`, which would delete the developer's build/ and
# build-san/ under the tests using them. The copy holds what `git ls-files` lists, as it is in
# the working tree (uncommitted changes and new files that are not ignored included); outside a
# git checkout, the tree without its build directories.
#
# The package's version is debian/changelog's; it must be the Makefile's VERSION, the one
# `tramdo --version` prints. DEB_BUILD_OPTIONS is passed on (e.g. "nocheck noddebs"); without a
# parallel= in it, the build uses every core.
set -euo pipefail
out=${1:?usage: scripts/mkdeb.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/.."

version=$(sed -n 's/^VERSION *:= *//p' Makefile)
changelog=$(dpkg-parsechangelog -l debian/changelog -SVersion)
if [ "$changelog" != "$version" ]; then
	echo "mkdeb: debian/changelog is at version $changelog, the Makefile's VERSION is $version." >&2
	echo "mkdeb: add a changelog entry for $version first: dch -v $version" >&2
	exit 1
fi

src=$out/tramdo-$version
rm -rf "$src"
rm -f "$out/tramdo_${version}_"* "$out/tramdo-dbgsym_${version}_"*
mkdir "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# A tracked file deleted in the working tree is left out, as a build here would leave it.
	git ls-files -z --cached --others --exclude-standard |
	    while IFS= read -r -d '' f; do
		    if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
	    done | sort -zu | tar --null --no-recursion -T - -cf - | tar -C "$src" -xf -
else
	tar --exclude='./build*' --exclude=./tramdo --exclude="./${out#"$PWD"/}" -cf - . |
	    tar -C "$src" -xf -
fi

case " ${DEB_BUILD_OPTIONS:-} " in
*" parallel="*) ;;
*) DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-} parallel=$(nproc)" ;;
esac
export DEB_BUILD_OPTIONS
(cd "$src" && dpkg-buildpackage -b -us -uc)
echo "mkdeb: $out/tramdo_${version}_$(dpkg --print-architecture).deb"
