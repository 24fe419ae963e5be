# ESoNR portal. `make run` for the demo stack, `make test` for the whole suite.
PORT ?= 8080
VAR ?= ./var
override VAR := $(abspath $(VAR))
export PORT VAR

CC = cc
WARN = -Wall -Wextra -Werror
CFLAGS = -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -Isrc -I/usr/include/postgresql -MMD -MP
ASAN_CFLAGS = -std=c11 -D_GNU_SOURCE -O1 -g $(WARN) -Isrc -I/usr/include/postgresql -MMD -MP \
	-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDLIBS = -lfcgi -lpq -lsodium -lhpdf -lcsv -lqrencode -lm

# Everything but the two programs' main files is library code shared by programs and tests.
LIB_SRC := $(filter-out src/portal/% src/cli/%,$(wildcard src/*/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=build/obj/%.o)
ASAN_OBJ := $(LIB_SRC:src/%.c=build/asan/%.o)
PORTAL_SRC := $(wildcard src/portal/*.c)
CLI_SRC := $(wildcard src/cli/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/test/%)
UNIT_ASAN := $(UNIT_SRC:tests/unit/%.c=build/test-asan/%)

.PHONY: all deps run start stop test unit integration bench fuzz clean
all: bin/esonr-portal bin/esonrctl

deps:
	@scripts/deps.sh

bin/esonr-portal: $(PORTAL_SRC:src/%.c=build/obj/%.o) $(LIB_OBJ)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

bin/esonrctl: $(CLI_SRC:src/%.c=build/obj/%.o) $(LIB_OBJ)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

build/asan/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -c -o $@ $<

build/test/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $^ $(LDLIBS)

build/test-asan/%: tests/unit/%.c $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -Itests/unit -o $@ $^ $(LDLIBS)

run: deps all
	@scripts/stack.sh run

start: deps all
	@scripts/stack.sh start

stop:
	@scripts/stack.sh stop

unit: $(UNIT_BIN) $(UNIT_ASAN)

test: deps all unit
	@tests/run.sh

bench: deps all
	@tests/bench/run.sh

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
