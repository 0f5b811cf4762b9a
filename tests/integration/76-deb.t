#!/bin/bash
# 76-deb.t — `make deb` and the package's life on this machine, as a kiosk PC would live it:
# build (from a copy of the tree in $T_TMP), lintian, dpkg -i, staff edit the INI and results
# accumulate, upgrade keeping both, dpkg -r, dpkg --purge. The machine is left as it was found:
# the package is purged, and the user tramdo deleted when the test created it, even on failure.
# Starts and stops no service (tramdo.service is only enabled; policy-rc.d and a systemd that is
# not PID 1 are what the maintainer scripts must survive). Only this test uses dpkg.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "installs a Debian package with dpkg: needs root"
# The package is compiled from source with its own flags: once, on the optimised build's run.
sanitized && skip_all "the package is built and installed once, on the optimised build's run"
for c in dpkg-buildpackage dh lintian dpkg-deb; do
	command -v $c >/dev/null || skip_all "$c is missing (make deps installs it)"
done
status=$(dpkg-query -W -f='${db:Status-Status}' tramdo 2>/dev/null)
[ -z "$status" ] || [ "$status" = not-installed ] ||
    skip_all "a tramdo package is on this machine ($status): this test would replace and purge it"
for p in /etc/tramdo /var/lib/tramdo /usr/bin/tramdo /lib/systemd/system/tramdo.service; do
	[ -e "$p" ] && skip_all "$p exists (make install-kiosk?): the package would take it over and purge it"
done
plan 47

VERSION=$(sed -n 's/^VERSION *:= *//p' "$SRCDIR/Makefile")
ARCH=$(dpkg --print-architecture)
NEXT=$VERSION+repack1
INI=/etc/tramdo/tramdo.ini
DB=/var/lib/tramdo/results.db
WANTS=/etc/systemd/system/multi-user.target.wants
user_existed=$(getent passwd tramdo)

# dpkg ARGS, waiting while someone else's apt or dpkg holds the lock; output in $T_TMP/dpkg.out.
dpkg_run() {
	local end=$((SECONDS + T_WAIT_SECONDS)) rc
	while :; do
		dpkg "$@" </dev/null >"$T_TMP/dpkg.out" 2>&1
		rc=$?
		if ! grep -q 'locked by another process' "$T_TMP/dpkg.out" || [ $SECONDS -ge $end ]; then
			break
		fi
		sleep 1
	done
	[ $rc -eq 0 ] || sed 's/^/# dpkg: /' "$T_TMP/dpkg.out"
	return $rc
}
deb_cleanup() {
	local s
	s=$(dpkg-query -W -f='${db:Status-Status}' tramdo 2>/dev/null)
	if [ -n "$s" ] && [ "$s" != not-installed ]; then
		echo "# cleanup: purging the tramdo package ($s)"
		dpkg_run --purge tramdo >/dev/null
	fi
	if [ -z "$user_existed" ] && getent passwd tramdo >/dev/null; then
		userdel tramdo 2>/dev/null
		getent group tramdo >/dev/null && groupdel tramdo 2>/dev/null
	fi
	t_cleanup
}
trap deb_cleanup EXIT
# the path's "mode owner:group", or "missing"
perms() { stat -c '%a %U:%G' "$1" 2>/dev/null || echo missing; }

# --- make deb, on a copy of the tree in $T_TMP (scripts/mkdeb.sh): no tests, no debug symbols
DEB_BUILD_OPTIONS="nocheck noddebs parallel=2" make -s -C "$SRCDIR" deb DEB_DIR="$T_TMP/deb" \
    >"$T_TMP/build.log" 2>&1
ok $? "make deb succeeds" || tail -n 30 "$T_TMP/build.log" | sed 's/^/# /'
DEB=$T_TMP/deb/tramdo_${VERSION}_$ARCH.deb
is "$(tail -n 1 "$T_TMP/build.log")" "mkdeb: $DEB" "make deb names the package it built"
is "$(dpkg-deb -f "$DEB" Package Version | tr '\n' ' ')" "Package: tramdo Version: $VERSION " \
    "the package's version is the Makefile's VERSION (what tramdo --version prints)"
C=$T_TMP/deb/tramdo-$VERSION
[ -x "$C/build/tramdo" ] && [ -x "$C/debian/rules" ]
ok $? "it was built in a copy of the tree in DEB_DIR (tramdo-$VERSION)"

# debian/changelog and VERSION must agree: mkdeb refuses a tree where they do not.
sed -i "s/^VERSION *:= .*/VERSION := 9.9.9/" "$C/Makefile"
out=$("$C/scripts/mkdeb.sh" "$T_TMP/mismatch" 2>&1)
ok $((! $?)) "mkdeb refuses to build when debian/changelog and VERSION disagree"
like "$out" "debian/changelog is at version $VERSION, the Makefile's VERSION is 9\.9\.9" "... and says why"

# --- what is in it
expected=$( {
	echo etc/tramdo/tramdo.ini
	for u in tramdo.service tramdo-font.service tramdo-cage.service; do echo lib/systemd/system/$u; done
	echo usr/bin/tramdo
	echo usr/lib/sysctl.d/50-tramdo.conf
	echo usr/lib/sysusers.d/tramdo.conf
	echo usr/lib/tmpfiles.d/tramdo.conf
	echo usr/lib/tramdo/set-console-font
	echo usr/share/doc/tramdo/changelog.gz
	echo usr/share/doc/tramdo/copyright
	echo usr/share/lintian/overrides/tramdo
	echo usr/share/man/man1/tramdo.1.gz
	echo usr/share/man/man5/tramdo.ini.5.gz
	echo usr/share/tramdo/consolefonts/tramdo-vi16.psf.gz
	echo usr/share/tramdo/tramdo.ini.example
	echo usr/share/tramdo/prometheus/tramdo-alerts.yml
	echo usr/share/tramdo/grafana/tramdo-dashboard.json
	(cd "$SRCDIR" && find assets -type f) | sed 's|^assets/|usr/share/tramdo/|'
} | sort)
got=$(dpkg-deb --fsys-tarfile "$DEB" | tar -t | grep -v '/$' | sed 's|^\./||' | sort)
is "$got" "$expected" "the package holds exactly the expected files"
is "$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles)" "$INI" "$INI is its one conffile"

lintian --pedantic "$DEB" >"$T_TMP/lintian.out" 2>&1
ok $? "lintian exits 0" || sed "s/^/# /" "$T_TMP/lintian.out"
is "$(grep -E '^[EW]: ' "$T_TMP/lintian.out")" "" "lintian reports no error and no warning"

# --- dpkg -i
here=$([ -d /run/systemd/system ] && echo "systemd running" || echo "systemd not running")
[ -x /usr/sbin/policy-rc.d ] && here="$here, policy-rc.d present"
dpkg_run -i "$DEB"
ok $? "dpkg -i succeeds ($here)"
cp "$T_TMP/dpkg.out" "$T_TMP/install.out"
like "$(cat "$T_TMP/install.out")" "start it now: systemctl start tramdo" "postinst says how to start the kiosk"
is "$(dpkg-query -W -f='${db:Status-Status} ${Version}' tramdo)" "installed $VERSION" "dpkg has it installed"
IFS=: read -r _ _ uid gid _ home shell <<<"$(getent passwd tramdo)"
is "$home $shell" "/var/lib/tramdo /usr/sbin/nologin" "the user tramdo exists, without a login shell"
is "$(perms /var/lib/tramdo)" "750 tramdo:tramdo" "/var/lib/tramdo is the kiosk's, 0750"
is "$(perms /etc/tramdo)" "750 root:tramdo" "/etc/tramdo is 0750 root:tramdo"
is "$(perms "$INI")" "640 root:tramdo" "$INI is 0640 root:tramdo (staff PIN, token)"
is "$(perms /usr/bin/tramdo)" "755 root:root" "/usr/bin/tramdo is installed"
is "$(/usr/bin/tramdo --version)" "tramdo $VERSION" "the installed binary runs: tramdo --version"
out=$(/usr/bin/tramdo check-config 2>&1)
ok $? "tramdo check-config accepts the installed $INI" || diag "$out"
like "$out" "^$INI: OK" "... reading $INI by default"
runuser -u tramdo -- /usr/bin/tramdo check-config >/dev/null 2>&1
ok $? "the user tramdo can read $INI (the kiosk's own check)"
grep -qa "/usr/share/tramdo" /usr/bin/tramdo
ok $? "the binary looks for its catalogs in /usr/share/tramdo (PREFIX=/usr)"
is "$(zgrep -c -e '^\.It Pa /usr/share/tramdo/$' -e '^\.It Pa /lib/systemd/system/tramdo\.service$' \
    /usr/share/man/man1/tramdo.1.gz)" 2 "man tramdo names the package's paths"
is "$(readlink "$WANTS/tramdo.service")" /lib/systemd/system/tramdo.service \
    "tramdo.service is enabled for the next boot"
is "$(ls /etc/systemd/system/*/tramdo-cage.service 2>/dev/null)" "" "the optional tramdo-cage.service is not"
cmp -s /usr/share/tramdo/tramdo.ini.example "$INI"
ok $? "the example beside the catalogs is the shipped INI"

# --- staff edit the INI, results accumulate (a database as tramdo $VERSION writes it)
sed -i 's/^id = .*/id = HN-TEST-76/' "$INI"
echo "; edited by staff" >>"$INI"
cp -p "$INI" "$T_TMP/edited.ini"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(open(sys.argv[2]).read()); c.commit()" \
    "$DB" "$SRCDIR/tests/fixtures/store/v1.sql"
chown tramdo:tramdo "$DB" && chmod 600 "$DB"
like "$(/usr/bin/tramdo history 2>/dev/null)" "92560ed0-d9bd-4940-adee-af28af3cccce" \
    "tramdo history reads the results database in /var/lib/tramdo"
# What the package must keep: this database, with the rows it had (tests beside this file that
# start tramdo as root may add rows of their own, so the bytes are not compared).
db_rows() { python3 -c "import sqlite3,sys; print(' '.join(r[0] for r in sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True).execute('SELECT id FROM results ORDER BY id')))" "$DB" 2>/dev/null; }
db_kept() { local now; now=$(db_rows); [ -n "$db_ids" ] && [ "$(stat -c %i "$DB" 2>/dev/null)" = "$db_inode" ] && for id in $db_ids; do [[ " $now " == *" $id "* ]] || return 1; done; }
db_ids=$(db_rows)
db_inode=$(stat -c %i "$DB")

# --- the next version, whose shipped INI changed too. Made by repacking this package with
# dpkg-deb, not by a second build: the upgrade depends on the version and the files, not on how
# they were compiled.
R=$T_TMP/repack
dpkg-deb -R "$DEB" "$R"
sed -i "s/^Version: .*/Version: $NEXT/" "$R/DEBIAN/control"
echo "; new in $NEXT" >>"$R$INI"
sed -i "s|^[0-9a-f]*  etc/tramdo/tramdo.ini\$|$(cd "$R" && md5sum etc/tramdo/tramdo.ini)|" "$R/DEBIAN/md5sums"
DEB2=$T_TMP/tramdo_${NEXT}_$ARCH.deb
dpkg-deb --root-owner-group -b "$R" "$DEB2" >/dev/null
ok $? "dpkg-deb builds version $NEXT"

dpkg_run --force-confold -i "$DEB2"
ok $? "dpkg --force-confold -i upgrades (staff answer \"keep\")"
is "$(dpkg-query -W -f='${db:Status-Status} ${Version}' tramdo)" "installed $NEXT" "version $NEXT is installed"
cmp -s "$T_TMP/edited.ini" "$INI"
ok $? "the staff's edited INI is kept"
is "$(tail -n 1 "$INI.dpkg-dist" 2>/dev/null)" "; new in $NEXT" "the new shipped INI waits beside it as tramdo.ini.dpkg-dist"
is "$(perms "$INI") $(perms /etc/tramdo)" "640 root:tramdo 750 root:tramdo" "the INI and /etc/tramdo keep their modes and group"
db_kept; ok $? "the results database is kept: the same file, every row it had ($db_ids)"
is "$(getent passwd tramdo | cut -d: -f3,4)" "$uid:$gid" "the user tramdo keeps its uid and gid"
is "$(grep -c "at the next boot" "$T_TMP/dpkg.out")" 0 "an upgrade does not repeat the first-install instructions"

# --- dpkg -r: the program goes, the INI and the results stay
dpkg_run -r tramdo
ok $? "dpkg -r succeeds"
is "$(dpkg-query -W -f='${db:Status-Status}' tramdo)" config-files "dpkg keeps only its configuration"
is "$(ls /usr/bin/tramdo /lib/systemd/system/tramdo.service /usr/share/tramdo 2>/dev/null)" "" \
    "the binary, the units and the data are gone"
cmp -s "$T_TMP/edited.ini" "$INI"
ok $? "the edited INI stays"
db_kept; ok $? "the results database stays, with every row it had"

# --- dpkg --purge: the configuration and the state go too
dpkg_run --purge tramdo
ok $? "dpkg --purge succeeds"
s=$(dpkg-query -W -f='${db:Status-Status}' tramdo 2>/dev/null)
is "${s:-not-installed}" not-installed "dpkg forgets the package"
is "$(ls -d /etc/tramdo /var/lib/tramdo 2>/dev/null)" "" "/etc/tramdo and /var/lib/tramdo are gone"
is "$(ls "$WANTS/tramdo.service" 2>/dev/null; find /var/lib/systemd/deb-systemd-helper-enabled -name '*tramdo*' 2>/dev/null)" "" \
    "nothing is left enabled, and deb-systemd-helper forgot the units"

# The user stays after a purge (Debian's practice, debian/tramdo.postrm); the test made it, so
# the test removes it.
if [ -z "$user_existed" ]; then
	userdel tramdo 2>/dev/null
	getent group tramdo >/dev/null && groupdel tramdo
	is "$(getent passwd tramdo; getent group tramdo)" "" "the user and group tramdo the test created are removed"
else
	pass "# SKIP the user tramdo existed before the test and stays"
fi

done_testing
