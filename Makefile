# crmerge build. Flags come from pkg-config; nothing is vendored.
#   make            build ./crmerge
#   make unit       build and run the C unit tests
#   make test       the whole suite (unit + end-to-end against a private PostgreSQL)
#   make sanitize   ASan+UBSan build, unit tests under it
#   make bench      benchmarks (bench/README.md)
#   make clean
PKGS     := libcurl libxml-2.0 jansson libpq zlib libutf8proc libidn2
CC       ?= cc
CXX      ?= g++
OPT      ?= -O2 -g
WARN     := -std=c11 -Wall -Wextra -Werror -Wstrict-prototypes -Wvla -Wwrite-strings \
            -Wshadow -Wno-missing-field-initializers
CPPFLAGS := -D_GNU_SOURCE -I. $(shell pkg-config --cflags $(PKGS))
# libphonenumber (Debian libphonenumber-dev) ships no .pc file; it is C++, reached only
# through transforms/normalise/phone_shim.cc, so the C++ runtime is linked too.
LDLIBS   := $(shell pkg-config --libs $(PKGS)) -lphonenumber -lstdc++ -lm -pthread
O        ?= build
SAN      :=

ifeq ($(origin SANITIZE),command line)
SAN      := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

CFLAGS_ALL := $(WARN) $(OPT) $(SAN) -pthread $(CFLAGS)
CXXWARN  := -std=c++17 -Wall -Wextra -Werror -Wshadow
CXXFLAGS_ALL := $(CXXWARN) $(OPT) $(SAN) $(CXXFLAGS)

LIB_SRC  := $(sort $(shell find pipeline connectors transforms -name '*.c'))
LIB_SRC  := $(filter-out pipeline/main.c,$(LIB_SRC))
LIB_CXX  := $(sort $(shell find transforms -name '*.cc'))
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/%.o) $(LIB_CXX:%.cc=$(O)/%.o)
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(O)/tests/%)
TEST_HDR := $(wildcard tests/unit/*.h)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(O)/bench/%)

.PHONY: all unit test sanitize bench clean tools
all: crmerge

crmerge: $(O)/crmerge
	cp $< $@

$(O)/crmerge: $(O)/pipeline/main.o $(O)/libcrmerge.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS)

$(O)/libcrmerge.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(O)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) -D_GNU_SOURCE -I. $(CXXFLAGS_ALL) -MMD -MP -c -o $@ $<

$(O)/tests/%: tests/unit/%.c $(O)/libcrmerge.a $(TEST_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -o $@ $< $(O)/libcrmerge.a $(LDLIBS)

$(O)/bench/%: bench/%.c $(O)/libcrmerge.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -o $@ $< $(O)/libcrmerge.a $(LDLIBS)

tools: $(TEST_BIN) $(BENCH_BIN)

unit: $(TEST_BIN)
	@tests/run_unit.sh $(O)/tests

test: all $(TEST_BIN) $(BENCH_BIN)
	@tests/run_all.sh

sanitize:
	$(MAKE) O=build-san SANITIZE=address,undefined OPT="-O1 -g" unit

bench: all $(BENCH_BIN)
	@bench/run.sh

clean:
	rm -rf build build-san crmerge

-include $(shell find $(O) -name '*.d' 2>/dev/null)
