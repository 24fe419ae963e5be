# ESoNR portal. `make run` for the demo stack, `make test` for the whole suite.
PORT ?= 8080
VAR ?= ./var
override VAR := $(abspath $(VAR))
export PORT VAR

CC = cc
WARN = -Wall -Wextra -Werror
# Debian's hardening for its own packages (dpkg-buildflags, hardening=+all): stack protector,
# fortified libc calls, format-string checks, position-independent executables, full RELRO.
HARDEN = -fstack-protector-strong -D_FORTIFY_SOURCE=2 -Wformat -Werror=format-security -fPIE
HARDEN_LDFLAGS = -pie -Wl,-z,relro,-z,now
CFLAGS = -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) $(HARDEN) -Isrc -I/usr/include/postgresql -MMD -MP
LDFLAGS = $(HARDEN_LDFLAGS)
ASAN_CFLAGS = -std=c11 -D_GNU_SOURCE -O1 -g $(WARN) -Isrc -I/usr/include/postgresql -MMD -MP \
	-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDLIBS = -lfcgi -lpq -lsodium -lhpdf -lcsv -lqrencode -lcurl -lm -lssl -lcrypto

# The sanitized build keeps ASan's own instrumentation instead (FORTIFY's checked calls
# would hide accesses from it).
# Everything but the two programs' main files is library code shared by programs and tests.
LIB_SRC := $(filter-out src/portal/% src/cli/% src/signer/% src/mailer/%,$(wildcard src/*/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=build/obj/%.o)
ASAN_OBJ := $(LIB_SRC:src/%.c=build/asan/%.o)
PORTAL_SRC := $(wildcard src/portal/*.c)
SIGNER_SRC := $(wildcard src/signer/*.c)
CLI_SRC := $(wildcard src/cli/*.c)
MAILER_SRC := $(wildcard src/mailer/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/test/%)
UNIT_ASAN := $(UNIT_SRC:tests/unit/%.c=build/test-asan/%)

.PHONY: all deps run start stop test test-sanitized unit integration bench fuzz clean security-scan valgrind
# Objects and test binaries are kept between runs, not treated as intermediates.
.SECONDARY:
all: bin/esonr-portal bin/esonrctl bin/esonr-signer bin/esonr-mailer

deps:
	@scripts/deps.sh

# Quiet by default (one line per file); `make V=1` shows the commands.
Q = $(if $(V),,@)

bin/esonr-portal: $(PORTAL_SRC:src/%.c=build/obj/%.o) $(LIB_OBJ)
	@mkdir -p bin
	@echo "  LINK $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

bin/esonrctl: $(CLI_SRC:src/%.c=build/obj/%.o) $(LIB_OBJ)
	@mkdir -p bin
	@echo "  LINK $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

# The signer process: the only one that reads the certificate signing key.
bin/esonr-signer: $(SIGNER_SRC:src/%.c=build/obj/%.o) $(LIB_OBJ)
	@mkdir -p bin
	@echo "  LINK $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

# The sender of the outbox's mails.
bin/esonr-mailer: $(MAILER_SRC:src/%.c=build/obj/%.o) $(LIB_OBJ)
	@mkdir -p bin
	@echo "  LINK $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

# Makefile too: a change of flags (e.g. the hardening) rebuilds what it changes.
build/obj/%.o: src/%.c Makefile
	@mkdir -p $(dir $@)
	@echo "  CC   $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

build/asan/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC   $< (asan)"
	$(Q)$(CC) $(ASAN_CFLAGS) -c -o $@ $<

build/test/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $(filter %.c %.o,$^) $(LDLIBS)

build/test-asan/%: tests/unit/%.c $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST $@"
	$(Q)$(CC) $(ASAN_CFLAGS) -Itests/unit -o $@ $(filter %.c %.o,$^) $(LDLIBS)

# Fuzz inputs (corpus and saved crashers) replayed by the normal test run, under ASan.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=build/fuzz/replay_%)
build/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	@echo "  FUZZ $@"
	$(Q)$(CC) $(ASAN_CFLAGS) -DFUZZ_REPLAY -o $@ $(filter %.c %.o,$^) $(LDLIBS)

# libFuzzer builds for a real fuzzing run: make fuzz, then see tests/fuzz/README.md.
fuzz:
	@mkdir -p build/fuzz
	for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
		clang -std=c11 -D_GNU_SOURCE -g -O1 -Isrc -I/usr/include/postgresql \
		-fsanitize=fuzzer,address,undefined -o build/fuzz/$$n $$f $(LIB_SRC) $(LDLIBS) || exit 1; done

# The integration suite once more, against a portal and esonrctl built with ASan/UBSan:
# a memory error or undefined behaviour in any handler fails the run.
SAN_BIN := build/sanitized/bin
$(SAN_BIN)/esonr-portal: $(PORTAL_SRC:src/%.c=build/asan/%.o) $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LINK $@ (asan)"
	$(Q)$(CC) $(ASAN_CFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

$(SAN_BIN)/esonrctl: $(CLI_SRC:src/%.c=build/asan/%.o) $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LINK $@ (asan)"
	$(Q)$(CC) $(ASAN_CFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

$(SAN_BIN)/esonr-signer: $(SIGNER_SRC:src/%.c=build/asan/%.o) $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LINK $@ (asan)"
	$(Q)$(CC) $(ASAN_CFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

$(SAN_BIN)/esonr-mailer: $(MAILER_SRC:src/%.c=build/asan/%.o) $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LINK $@ (asan)"
	$(Q)$(CC) $(ASAN_CFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

run: deps all
	@scripts/stack.sh run

start: deps all
	@scripts/stack.sh start

stop:
	@scripts/stack.sh stop

unit: $(UNIT_BIN) $(UNIT_ASAN) $(FUZZ_REPLAY)

test: deps all unit $(SAN_BIN)/esonr-portal $(SAN_BIN)/esonrctl $(SAN_BIN)/esonr-signer $(SAN_BIN)/esonr-mailer
	@tests/run.sh

test-sanitized: deps $(SAN_BIN)/esonr-portal $(SAN_BIN)/esonrctl $(SAN_BIN)/esonr-signer $(SAN_BIN)/esonr-mailer
	@tests/run.sh sanitized

# The integration suite with the portal and esonrctl under valgrind (tests/valgrind/run.sh).
valgrind: deps all
	@scripts/deps.sh valgrind
	@tests/valgrind/run.sh

# sqlmap and wapiti against a stack of their own with the demo data (tests/security/scan.sh).
security-scan: deps all
	@scripts/deps.sh sqlmap wapiti
	@tests/security/scan.sh

bench: deps all build/bench/bench_cert
	@tests/bench/run.sh

build/bench/bench_cert: tests/bench/bench_cert.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  BENCH $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
