# tramdo — build, test, install.  Plain make + pkg-config; see README.md.

VERSION  := 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
TRAMDO   ?= ./tramdo

PKGS     := ncursesw libcurl libgps sqlite3 json-c libqrencode libsystemd
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
            iputils-ping iproute2 gnuplot-nox console-setup-linux curl valgrind

.PHONY: all check unit integration sanitize deps clean demo bench

all: tramdo

tramdo: $(BUILD)/tramdo
	@if [ "$(BUILD)" = build ]; then cp $(BUILD)/tramdo tramdo; fi

$(BUILD)/tramdo: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(BUILD)/%.o: src/%.c $(wildcard src/*.h) | $(BUILD)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBOBJS) | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS) -Isrc $(shell pkg-config --cflags cmocka) -o $@ $< $(LIBOBJS) \
	    $(LDFLAGS) $(LDLIBS) $(shell pkg-config --libs cmocka)

$(BUILD):
	@mkdir -p $(BUILD)

# Every test target first installs what is missing, so one command works on a fresh machine.
check: deps
	$(MAKE) unit integration


unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do \
	    echo "== $$t"; TRAMDO_SRCDIR=$(CURDIR) $$t || fail=1; done; exit $$fail

integration: tramdo $(BUILD)/tramdo
	TRAMDO=$(abspath $(BUILD)/tramdo) TRAMDO_SRCDIR=$(CURDIR) prove -v tests/integration/*.t

# The same tests, built with AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize: deps
	$(MAKE) BUILD=build-san OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    unit integration

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
	rm -rf build build-san tramdo

# Accuracy on a shaped link, side by side with iperf3 and curl (root; ~12 min): docs/benchmarks.md.
bench: tramdo
	TRAMDO=$(abspath $(BUILD)/tramdo) bench/shaped.sh
