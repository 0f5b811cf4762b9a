# tramdo — build, test, install.  Plain make + pkg-config; see README.md.

VERSION  := 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
TRAMDO   ?= ./tramdo

PKGS     := ncursesw libcurl libgps sqlite3 json-c libqrencode libsystemd espeak-ng
# iniparser ships no pkg-config file on Debian.
INI_CFLAGS := -I/usr/include/iniparser
INI_LIBS   := -liniparser

OPT      ?= -O2
CFLAGS   ?=
CFLAGS   += -std=c17 $(OPT) -Wall -Wextra -Werror -D_GNU_SOURCE \
            -DTRAMDO_VERSION='"$(VERSION)"' -DTRAMDO_DATADIR='"$(PREFIX)/share/tramdo"' \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(INI_CFLAGS) $(SAN_CFLAGS)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(INI_LIBS) -lm
LDFLAGS  += $(SAN_CFLAGS)

SRCS     := $(wildcard src/*.c)
OBJS     := $(SRCS:src/%.c=$(BUILD)/%.o)
LIBOBJS  := $(filter-out $(BUILD)/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

DEB_PKGS := build-essential pkg-config libncurses-dev libcurl4-openssl-dev libgps-dev \
            gpsd gpsd-clients python3-gps libiniparser-dev libsqlite3-dev libjson-c-dev \
            libqrencode-dev libsystemd-dev libcmocka-dev nginx tmux iperf3 influxdb \
            libespeak-ng-dev espeak-ng-data \
            iputils-ping iproute2 gnuplot-nox console-setup-linux kbd curl valgrind zbar-tools \
            clang libclang-rt-14-dev cppcheck clang-tidy clang-tools tzdata locales faketime \
            php-fpm php-sqlite3 prometheus prometheus-node-exporter \
            debhelper dpkg-dev lintian openssl

.PHONY: all check tests tests-sanitized test-bins test unit integration sanitize deps clean demo bench bench-shaped bench-tls
.PHONY: fuzz fuzz-run lint lint-includes lint-cppcheck lint-tidy lint-scan soak
.PHONY: install uninstall install-kiosk uninstall-kiosk install-sysctl font deb

all: tramdo font

tramdo: $(BUILD)/tramdo
	@if [ "$(BUILD)" = build ]; then cp $(BUILD)/tramdo tramdo; fi

$(BUILD)/tramdo: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(BUILD)/%.o: src/%.c $(wildcard src/*.h) $(BUILD)/cflags | $(BUILD)
	$(CC) $(CFLAGS) -c -o $@ $<

# The compiler flags of the last build: objects are rebuilt when they change, e.g. for
# `make install PREFIX=/usr` after `make` (TRAMDO_DATADIR is compiled in).
BUILD_FLAGS = $(CC) $(CFLAGS)
$(BUILD)/cflags: FORCE | $(BUILD)
	@$(if $(filter-out $(BUILD_FLAGS),$(file <$@))$(filter-out $(file <$@),$(BUILD_FLAGS)),\
	    $(file >$@,$(BUILD_FLAGS)),:)
.PHONY: FORCE

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIBOBJS) | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) -Isrc $(shell pkg-config --cflags cmocka) -o $@ $< $(LIBOBJS) \
	    $(LDFLAGS) $(LDLIBS) $(shell pkg-config --libs cmocka)

$(BUILD):
	@mkdir -p $(BUILD)

# A fixed delay for the shaped links of the benchmarks and of 80-accuracy.t (no netem here).
$(BUILD)/tundelay: bench/tundelay.c | $(BUILD)
	$(CC) -std=c17 $(OPT) -Wall -Wextra -Werror -D_GNU_SOURCE $(SAN_CFLAGS) -o $@ $<

# The kiosk's console font: Vietnamese-Fixed16 (console-setup-linux) with the half blocks
# ▀ ▄ ▌ ▐ the QR codes need, made from the system's font by scripts/mkfont.py.
FONT_SRC ?= /usr/share/consolefonts/Vietnamese-Fixed16.psf.gz
FONT     := tramdo-vi16.psf.gz

font: $(BUILD)/$(FONT)

$(BUILD)/$(FONT): scripts/mkfont.py $(wildcard $(FONT_SRC)) | $(BUILD)
	python3 scripts/mkfont.py $(FONT_SRC) $@

# Every test target first installs what is missing, so one command works on a fresh machine.
# tests/run runs the test files side by side (TEST_JOBS at once: they mostly wait on servers
# and timers, and each picks its own ports, sockets and temporary files), prints one line per
# finished file, keeps each file's output in BUILD/test-logs/ and prints the output of failed
# files and a summary at the end.
# check is everything CI runs: the unit and integration tests of the optimised build and of an
# ASan+UBSan build, and lint, all in one pool.
SAN_VARS := BUILD=build-san OPT="-O1 -g -fno-omit-frame-pointer" \
            SAN_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all"
TEST_JOBS ?= 6
RUN_TESTS = python3 tests/run -j $(TEST_JOBS)

check: deps
	$(MAKE) -j2 test-bins
	$(MAKE) -j2 $(SAN_VARS) test-bins
	$(RUN_TESTS) -b build -b build-san --lint

# What the tests of one build need: the binary and the unit test binaries.
test-bins: tramdo $(BUILD)/tramdo $(BUILD)/$(FONT) $(BUILD)/tundelay $(UNIT_BINS)

# One build's tests (BUILD=...): unit and integration; or only one kind.
tests: test-bins
	$(RUN_TESTS) -b $(BUILD)
unit: test-bins
	$(RUN_TESTS) -b $(BUILD) --unit
integration: test-bins
	$(RUN_TESTS) -b $(BUILD) --integration

# The same tests, built with AddressSanitizer and UndefinedBehaviorSanitizer, alone.
sanitize: deps
	$(MAKE) -j2 $(SAN_VARS) tests
tests-sanitized: sanitize

# One test: make test T=NAME (43, 43-kiosk-e2e, 43-kiosk-e2e.t, test_store) on the optimised
# build; SAN=1 on the ASan+UBSan build. Several names: T="10 test_store".
test:
	@[ -n "$(T)" ] || { echo "usage: make test T=NAME [SAN=1]   (NAME: 43, 43-kiosk-e2e, test_store)"; exit 2; }
	$(MAKE) -j2 $(if $(filter 1,$(SAN)),$(SAN_VARS)) test-bins
	$(RUN_TESTS) -b $(if $(filter 1,$(SAN)),build-san,build) $(T)

# Soak tests (docs/soak.md), not part of check: long. SOAK_KEYS random keys into the kiosk,
# SOAK_TESTS consecutive tests in one kiosk process, valgrind on a kiosk session. Numbers
# land in $(BUILD)/soak/.
SOAK_TESTS ?= 300
SOAK_KEYS  ?= 100000
SOAK_OUT   ?= $(abspath $(BUILD)/soak)

soak: deps tramdo $(BUILD)/tramdo
	TRAMDO=$(abspath $(BUILD)/tramdo) TRAMDO_SRCDIR=$(CURDIR) SOAK_OUT=$(SOAK_OUT) \
	    SOAK_TESTS=$(SOAK_TESTS) SOAK_KEYS=$(SOAK_KEYS) prove -v tests/soak/*.t

# libFuzzer harnesses (tests/fuzz/fuzz_*.c) over every parser of outside input, with ASan+UBSan.
# The project's objects are rebuilt with clang into build-fuzz/; each harness runs FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS    := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

fuzz: deps
	$(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
	    fuzz-run

fuzz-run: $(FUZZ_BINS)
	tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIBOBJS) | $(BUILD)
	@mkdir -p $(BUILD)/fuzz
	$(CC) $(CFLAGS) -Isrc -fsanitize=fuzzer -o $@ $< $(LIBOBJS) $(LDFLAGS) $(LDLIBS)

# Static checks; zero findings expected. Suppressions are justified in .clang-tidy,
# .cppcheck-suppressions and docs/lint.md.
LINT_SRCS   := $(SRCS) $(UNIT_SRCS) $(FUZZ_SRCS)
LINT_CFLAGS := -std=c17 -D_GNU_SOURCE -DTRAMDO_VERSION='"$(VERSION)"' -DTRAMDO_DATADIR='"/"' \
               $(shell pkg-config --cflags $(PKGS) cmocka 2>/dev/null) $(INI_CFLAGS) -iquote src

# The parts run side by side under make -j (tests/run does: make -j3 lint).
LINT_PARTS := lint-includes lint-cppcheck lint-tidy
lint: deps
	$(MAKE) $(LINT_PARTS)

# docs/architecture.md's rules table against every #include in src/.
lint-includes:
	scripts/check-includes

lint-cppcheck:
	cppcheck --enable=warning,performance,portability --error-exitcode=1 --inline-suppr \
	    --suppressions-list=.cppcheck-suppressions -q --std=c11 -D_GNU_SOURCE -Isrc $(LINT_SRCS)
# clang-tidy one file a target, so make -j runs them side by side (-O keeps each one's output whole).
TIDY_TARGETS := $(addprefix tidy-,$(LINT_SRCS))
lint-tidy: $(TIDY_TARGETS)
$(TIDY_TARGETS): tidy-%: FORCE
	@out=$$(clang-tidy --quiet $* -- $(LINT_CFLAGS) 2>&1); rc=$$?; \
	    printf '%s\n' "$$out" | grep -v -e ' warnings\? generated\.$$' -e '^$$'; exit $$rc
# scan-build runs the analyzer that clang-tidy's clang-analyzer-* checks already run on every file
# in `make lint`, over src/ only: a second opinion on demand, not part of `make lint` (docs/lint.md).
lint-scan:
	rm -rf build-scan
	scan-build --status-bugs -o build-scan/report $(MAKE) BUILD=build-scan CC=clang build-scan/tramdo

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing:" $$missing; \
	    SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "all Debian packages present"; fi

clean:
	rm -rf build build-san build-fuzz build-scan build-deb tramdo

# The kiosk on an embedded demo: local nginx speed-test server and gpsfake on loopback.
demo: deps tramdo
	bash scripts/demo.sh

# --- Installing (docs/deploy.md). DESTDIR stages into a tree; PREFIX is where it will run. ---
INSTALL_BIN ?= $(BUILD)/tramdo
INSTALL_FONT ?= $(BUILD)/$(FONT)
BINDIR      ?= $(PREFIX)/bin
DATADIR     ?= $(PREFIX)/share/tramdo
MANDIR      ?= $(PREFIX)/share/man
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
PKGLIBDIR   ?= $(PREFIX)/lib/tramdo
SYSCTLDIR   ?= $(PREFIX)/lib/sysctl.d
UNITS       := tramdo.service tramdo-font.service tramdo-cage.service
ASSETS      := $(shell find assets -type f 2>/dev/null)
ETC_INI     := $(DESTDIR)$(SYSCONFDIR)/tramdo/tramdo.ini
# The units, set-console-font and the man pages name the installed paths.
SUBST_PATHS := sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
               -e 's|@PKGLIBDIR@|$(PKGLIBDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
               -e 's|@UNITDIR@|$(UNITDIR)|g'

install: $(INSTALL_BIN) $(INSTALL_FONT)
	install -Dm755 $(INSTALL_BIN) $(DESTDIR)$(BINDIR)/tramdo
	for f in $(ASSETS); do install -Dm644 $$f $(DESTDIR)$(DATADIR)/$${f#assets/}; done
	@if [ ! -f config/tramdo.ini ]; then echo "warning: no config/tramdo.ini to install"; \
	else install -Dm644 config/tramdo.ini $(DESTDIR)$(DATADIR)/tramdo.ini.example; \
	    if [ -e $(ETC_INI) ]; then echo "keeping the existing $(ETC_INI)"; \
	    else install -Dm640 config/tramdo.ini $(ETC_INI); fi; fi
	install -d $(DESTDIR)$(UNITDIR)
	for u in $(UNITS); do $(SUBST_PATHS) systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u; \
	    chmod 644 $(DESTDIR)$(UNITDIR)/$$u; done
	install -Dm644 $(INSTALL_FONT) $(DESTDIR)$(DATADIR)/consolefonts/$(FONT)
	@# For the province's servers, not the kiosk: Prometheus alert rules, the Grafana dashboard.
	install -Dm644 config/tramdo-alerts.yml $(DESTDIR)$(DATADIR)/prometheus/tramdo-alerts.yml
	install -Dm644 config/grafana-dashboard.json $(DESTDIR)$(DATADIR)/grafana/tramdo-dashboard.json
	install -d $(DESTDIR)$(PKGLIBDIR)
	$(SUBST_PATHS) systemd/set-console-font.sh > $(DESTDIR)$(PKGLIBDIR)/set-console-font
	chmod 755 $(DESTDIR)$(PKGLIBDIR)/set-console-font
	install -Dm644 systemd/tramdo.sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/tramdo.conf
	install -Dm644 systemd/tramdo.tmpfiles.conf $(DESTDIR)$(TMPFILESDIR)/tramdo.conf
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	$(SUBST_PATHS) man/tramdo.1 > $(DESTDIR)$(MANDIR)/man1/tramdo.1
	$(SUBST_PATHS) man/tramdo.ini.5 > $(DESTDIR)$(MANDIR)/man5/tramdo.ini.5
	chmod 644 $(DESTDIR)$(MANDIR)/man1/tramdo.1 $(DESTDIR)$(MANDIR)/man5/tramdo.ini.5

# Removes what install put there. The configuration stays when staff have edited it.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tramdo
	@if [ -e $(ETC_INI) ] && ! cmp -s $(ETC_INI) $(DESTDIR)$(DATADIR)/tramdo.ini.example; then \
	    echo "keeping the edited $(ETC_INI)"; else rm -f $(ETC_INI); fi
	@rmdir $(DESTDIR)$(SYSCONFDIR)/tramdo 2>/dev/null || true
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(PKGLIBDIR)
	for u in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$u; done
	rm -f $(DESTDIR)$(SYSUSERSDIR)/tramdo.conf $(DESTDIR)$(TMPFILESDIR)/tramdo.conf
	rm -f $(DESTDIR)$(SYSCTLDIR)/50-tramdo.conf
	rm -f $(DESTDIR)$(MANDIR)/man1/tramdo.1 $(DESTDIR)$(MANDIR)/man5/tramdo.ini.5
	@# A staging tree is left as empty as it was; a live system keeps /usr/local/bin and such.
	@if [ -n "$(DESTDIR)" ]; then cd $(DESTDIR)/ && for d in $(patsubst /%,%,$(BINDIR) $(SYSCONFDIR) \
	    $(UNITDIR) $(SYSUSERSDIR) $(TMPFILESDIR) $(SYSCTLDIR) $(MANDIR)/man1 $(MANDIR)/man5); do \
	    rmdir -p $$d 2>/dev/null || true; done; fi

# The kiosk machine: user, directories, Vietnamese console font, tramdo on tty1 at boot.
# With DESTDIR it prepares an image offline (systemd --root).
SD_ROOT = $(if $(DESTDIR),--root=$(DESTDIR))
install-kiosk: install install-sysctl
	systemd-sysusers $(SD_ROOT) tramdo.conf
	systemd-tmpfiles --create $(SD_ROOT) tramdo.conf
	-systemctl $(SD_ROOT) disable getty@tty1.service
	systemctl $(SD_ROOT) enable tramdo.service
	@[ -n "$(DESTDIR)" ] || ! [ -d /run/systemd/system ] || systemctl daemon-reload
	@echo "tramdo starts on tty1 at the next boot (now: systemctl start tramdo)"

# Kernel messages below "critical" stay off the kiosk's screen (install-kiosk, the .deb).
install-sysctl:
	install -Dm644 systemd/tramdo.sysctl.conf $(DESTDIR)$(SYSCTLDIR)/50-tramdo.conf

uninstall-kiosk:
	-systemctl $(SD_ROOT) disable tramdo.service
	-systemctl $(SD_ROOT) enable getty@tty1.service
	$(MAKE) uninstall

# The Debian package (docs/deploy.md): debian/ built by dpkg-buildpackage on a copy of the tree
# in DEB_DIR (debhelper's clean step runs `make clean`), which then holds tramdo_VERSION_ARCH.deb.
# debian/changelog's version must be VERSION (scripts/mkdeb.sh refuses otherwise).
DEB_DIR ?= build-deb

deb: deps
	scripts/mkdeb.sh $(DEB_DIR)

# Benchmarks, not tests (numbers in docs/benchmarks.md): the engine against curl on loopback, and
# on the links a commune has (root: network namespaces, ~5 min): long round trips, ADSL, LAN
# rates, a rate that drops mid-test, against the links' own counters and iperf3. bench-shaped is
# the longer comparison with curl and the tbf settings (~11 min).
BENCH_ENV = TRAMDO=$(abspath $(BUILD)/tramdo) NET_TUNDELAY=$(abspath $(BUILD)/tundelay)
bench: tramdo $(BUILD)/tundelay
	bench/loopback.sh
	@if [ "$$(id -u)" -eq 0 ]; then $(BENCH_ENV) bench/links.sh; \
	else echo "bench/links.sh skipped: needs root (sudo make bench)"; fi

bench-shaped: tramdo $(BUILD)/tundelay
	$(BENCH_ENV) bench/shaped.sh

# http against https (a test CA, certificate checks on): CPU per GB on loopback, and the accuracy
# at 100 Mbit/s and 20 Mbit/s with 300 ms (root; without it the loopback part only; ~6-8 min).
bench-tls: tramdo $(BUILD)/tundelay
	$(BENCH_ENV) bench/tls.sh
