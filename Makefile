# recur — one Makefile, four build variants under build/:
#   rel       float, -O2: the library, tools, examples and the float tests
#   f64       double (-DRC_DOUBLE): the finite-difference gradient tests
#   asan      float tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   asan-f64  double tests under the same sanitizers
#   fuzz      libFuzzer targets (tests/fuzz/fuzz_*.c), built by clang with the
#             library under ASan + UBSan and coverage instrumentation
#
#   make            library (static and shared), tools and examples
#   make test       float and double tests, and the examples that check themselves
#   make sanitize   the same tests under ASan + UBSan
#   make check      all of these (what scripts/test.sh runs)
#   make fuzz       the libFuzzer targets (scripts/fuzz.sh builds and runs them)

CC      ?= cc
WARN    := -std=c11 -Wall -Wextra -Werror -pedantic
BASE    := $(WARN) -Iinclude -Isrc -Itests/support -D_POSIX_C_SOURCE=200809L -fPIC
LDLIBS  := -lopenblas -ljansson -lm
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

LIB_SRC      := $(shell find src -name '*.c' | sort)
TEST_SUPPORT := $(wildcard tests/support/*.c)
F32_TESTS    := $(basename $(notdir $(wildcard tests/test_*.c)))
F64_TESTS    := $(basename $(notdir $(wildcard tests/grad_*.c)))
EXAMPLES     := $(basename $(notdir $(wildcard examples/*.c)))
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_TARGETS := $(basename $(notdir $(FUZZ_SRC)))
FUZZ_SUPPORT := $(wildcard tests/fuzz/support/*.c)
TOOLS        := $(basename $(notdir $(wildcard tools/*.c)))
# tools/NAME/*.c build one program per directory; tests/test_cli_*.c link
# with the recur program's objects (all but its main.c).
TOOL_DIRS    := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard tools/*/*.c)))))
CLI_SRC      := $(filter-out tools/recur/main.c,$(wildcard tools/recur/*.c))
CLI_TESTS    := $(wildcard tests/cli/*.sh)

# $(1) variant, $(2) compile flags, $(3) link flags, $(4) compiler (default $(CC))
define variant
$(1)_CC  := $(or $(4),$$(CC))
$(1)_OBJ := $$(LIB_SRC:%.c=build/$(1)/%.o)
$(1)_SUP := $$(TEST_SUPPORT:%.c=build/$(1)/%.o)
$(1)_FUZ := $$(FUZZ_SUPPORT:%.c=build/$(1)/%.o)
build/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$($(1)_CC) $$(BASE) $(2) -MMD -MP -c $$< -o $$@
build/$(1)/librecur.a: $$($(1)_OBJ)
	@rm -f $$@
	ar rcs $$@ $$^
build/$(1)/bin/%: build/$(1)/tests/%.o $$($(1)_SUP) build/$(1)/librecur.a
	@mkdir -p $$(@D)
	$$($(1)_CC) $(2) $(3) $$< $$($(1)_SUP) build/$(1)/librecur.a $$(LDLIBS) -o $$@
build/$(1)/bin/test_cli_%: build/$(1)/tests/test_cli_%.o $$($(1)_SUP) $$(CLI_SRC:%.c=build/$(1)/%.o) build/$(1)/librecur.a
	@mkdir -p $$(@D)
	$$($(1)_CC) $(2) $(3) $$^ $$(LDLIBS) -o $$@
# The regression test replays inputs through every fuzz target, each compiled
# with its entry point renamed to NAME_one and listed in RC_FUZZ_TARGETS.
build/$(1)/tests/fuzz/%.replay.o: tests/fuzz/%.c
	@mkdir -p $$(@D)
	$$($(1)_CC) $$(BASE) $(2) -DLLVMFuzzerTestOneInput=$$*_one -MMD -MP -c $$< -o $$@
build/$(1)/tests/test_fuzz_regressions.o: BASE += "-DRC_FUZZ_TARGETS=$$(foreach t,$$(FUZZ_TARGETS),RC_FUZZ_TARGET($$(t)))"
build/$(1)/tests/test_fuzz_regressions.o: $$(FUZZ_SRC)
build/$(1)/bin/test_fuzz_regressions: build/$(1)/tests/test_fuzz_regressions.o \
		$$(FUZZ_TARGETS:%=build/$(1)/tests/fuzz/%.replay.o) $$($(1)_FUZ) $$($(1)_SUP) $$(CLI_SRC:%.c=build/$(1)/%.o) \
		build/$(1)/librecur.a
	@mkdir -p $$(@D)
	$$($(1)_CC) $(2) $(3) $$^ $$(LDLIBS) -o $$@
-include $$($(1)_OBJ:.o=.d) $$($(1)_SUP:.o=.d) $$($(1)_FUZ:.o=.d) $$(wildcard build/$(1)/tests/fuzz/*.d)
$(1)_LINK := $(2) $(3)
$$(foreach d,$$(TOOL_DIRS),$$(eval $$(call tool,$(1),$$(d))))
endef

# $(1) variant, $(2) tool directory under tools/
define tool
build/$(1)/$(2): $$(patsubst %.c,build/$(1)/%.o,$$(wildcard tools/$(2)/*.c)) build/$(1)/librecur.a
	$$($(1)_CC) $$($(1)_LINK) $$^ $$(LDLIBS) -o $$@
-include $$(patsubst %.c,build/$(1)/%.d,$$(wildcard tools/$(2)/*.c))
endef

REL_FLAGS := -O2 -g
F64_FLAGS := -O2 -g -DRC_DOUBLE
ASAN_FLAGS := -O1 -g $(SAN)
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer-no-link $(SAN)
FUZZ_CC    ?= clang

$(eval $(call variant,rel,$(REL_FLAGS),))
$(eval $(call variant,f64,$(F64_FLAGS),))
$(eval $(call variant,asan,$(ASAN_FLAGS),$(SAN)))
$(eval $(call variant,asan-f64,$(ASAN_FLAGS) -DRC_DOUBLE,$(SAN)))
$(eval $(call variant,fuzz,$(FUZZ_FLAGS),$(SAN),$(FUZZ_CC)))


.DEFAULT_GOAL := all
# Keep the objects of test binaries: make would otherwise delete them as
# intermediate files after every run, rebuild them next time, and print the
# deletion after the test summary.
.SECONDARY:
.PHONY: all lib test sanitize check examples fuzz clean
all: lib examples $(TOOLS:%=build/rel/%) $(TOOL_DIRS:%=build/rel/%)
lib: build/rel/librecur.a build/rel/librecur.so

build/rel/librecur.so: $(rel_OBJ)
	$(CC) -shared $^ $(LDLIBS) -o $@

build/rel/%: tools/%.c build/rel/librecur.a
	@mkdir -p $(@D)
	$(CC) $(BASE) $(REL_FLAGS) $< build/rel/librecur.a $(LDLIBS) -o $@

build/rel/examples/%: examples/%.c build/rel/librecur.a
	@mkdir -p $(@D)
	$(CC) $(BASE) $(REL_FLAGS) $< build/rel/librecur.a $(LDLIBS) -o $@

examples: $(EXAMPLES:%=build/rel/examples/%)

TEST_BINS := $(F32_TESTS:%=build/rel/bin/%) $(F64_TESTS:%=build/f64/bin/%)
SAN_BINS  := $(F32_TESTS:%=build/asan/bin/%) $(F64_TESTS:%=build/asan-f64/bin/%)

# The shell tests under tests/cli run build/rel/recur (RECUR overrides it)
# and print "N passed, N failed" like the test binaries.
test: $(TEST_BINS) examples build/rel/recur
	scripts/run_examples.sh
	scripts/run_tests.sh $(TEST_BINS) $(CLI_TESTS)

sanitize: $(SAN_BINS) build/asan/recur
	RECUR=build/asan/recur scripts/run_tests.sh $(SAN_BINS) $(CLI_TESTS)

check: $(TEST_BINS) $(SAN_BINS) examples build/rel/recur
	scripts/run_examples.sh
	scripts/run_tests.sh $(TEST_BINS) $(SAN_BINS) $(CLI_TESTS)

# A target is tests/fuzz/fuzz_NAME.c defining LLVMFuzzerTestOneInput; its
# seeds are in tests/fuzz/corpus/NAME/, crash inputs in tests/fuzz/regressions/NAME/.
# Targets may call the recur program's functions (model files) too.
build/fuzz/bin/fuzz_%: build/fuzz/tests/fuzz/fuzz_%.o $(fuzz_FUZ) $(CLI_SRC:%.c=build/fuzz/%.o) build/fuzz/librecur.a
	@mkdir -p $(@D)
	$(fuzz_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $^ $(LDLIBS) -o $@

fuzz: $(FUZZ_TARGETS:%=build/fuzz/bin/%)

clean:
	rm -rf build
