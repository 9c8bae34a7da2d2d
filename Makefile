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
#   make bench      the benchmark drivers under build/rel/bench/
#   make fuzz       the libFuzzer targets (scripts/fuzz.sh builds and runs them)
#
# OMP=0 builds without OpenMP (single-threaded kernels) into build/omp0/.

CC      ?= cc
WARN    := -std=c11 -Wall -Wextra -Werror -pedantic
BASE    := $(WARN) -Iinclude -Isrc -Itests/support -D_POSIX_C_SOURCE=200809L -fPIC
LDLIBS  := -lopenblas -ljansson -lm
OMP     ?= 1
ifeq ($(OMP),0)
OUT     := build/omp0
else
OUT     := build
BASE    += -fopenmp
LDLIBS  += -fopenmp
# oneDNN's sgemm for the large products, where it is installed (libdnnl-dev;
# see docs/performance.md, "Choosing the GEMM"). It threads with OpenMP, so
# the OMP=0 build goes without it.
ifneq ($(wildcard /usr/include/oneapi/dnnl/dnnl.h),)
BASE    += -DRC_HAVE_DNNL
LDLIBS  += -ldnnl
endif
endif
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

LIB_SRC      := $(shell find src -name '*.c' | sort)
# kill_shim.c is an LD_PRELOAD library of the shell tests, not linked in
KILL_SHIM    := tests/support/kill_shim.c
TEST_SUPPORT := $(filter-out $(KILL_SHIM),$(wildcard tests/support/*.c))
F32_TESTS    := $(basename $(notdir $(wildcard tests/test_*.c)))
F64_TESTS    := $(basename $(notdir $(wildcard tests/grad_*.c)))
EXAMPLES     := $(basename $(notdir $(wildcard examples/*.c)))
TOOLS        := $(basename $(notdir $(wildcard tools/*.c)))
# tools/NAME/*.c build one program per directory; tests/test_cli_*.c link
# with the recur program's objects (all but its main.c).
TOOL_DIRS    := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard tools/*/*.c)))))
CLI_SRC      := $(filter-out tools/recur/main.c,$(wildcard tools/recur/*.c))
CLI_TESTS    := $(wildcard tests/cli/*.sh)
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_TARGETS := $(basename $(notdir $(FUZZ_SRC)))
FUZZ_SUPPORT := $(wildcard tests/fuzz/support/*.c)

# $(1) variant, $(2) compile flags, $(3) link flags, $(4) compiler (default $(CC))
define variant
$(1)_CC  := $(or $(4),$$(CC))
$(1)_OBJ := $$(LIB_SRC:%.c=$(OUT)/$(1)/%.o)
$(1)_SUP := $$(TEST_SUPPORT:%.c=$(OUT)/$(1)/%.o)
$(1)_FUZ := $$(FUZZ_SUPPORT:%.c=$(OUT)/$(1)/%.o)
$(OUT)/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$($(1)_CC) $$(BASE) $(2) -MMD -MP -c $$< -o $$@
$(OUT)/$(1)/librecur.a: $$($(1)_OBJ)
	@rm -f $$@
	ar rcs $$@ $$^
$(OUT)/$(1)/bin/%: $(OUT)/$(1)/tests/%.o $$($(1)_SUP) $(OUT)/$(1)/librecur.a
	@mkdir -p $$(@D)
	$$($(1)_CC) $(2) $(3) $$< $$($(1)_SUP) $(OUT)/$(1)/librecur.a $$(LDLIBS) -o $$@
$(OUT)/$(1)/bin/test_cli_%: $(OUT)/$(1)/tests/test_cli_%.o $$($(1)_SUP) $$(CLI_SRC:%.c=$(OUT)/$(1)/%.o) $(OUT)/$(1)/librecur.a
	@mkdir -p $$(@D)
	$$($(1)_CC) $(2) $(3) $$^ $$(LDLIBS) -o $$@
# The regression test replays inputs through every fuzz target, each compiled
# with its entry point renamed to NAME_one and listed in RC_FUZZ_TARGETS.
$(OUT)/$(1)/tests/fuzz/%.replay.o: tests/fuzz/%.c
	@mkdir -p $$(@D)
	$$($(1)_CC) $$(BASE) $(2) -DLLVMFuzzerTestOneInput=$$*_one -MMD -MP -c $$< -o $$@
$(OUT)/$(1)/tests/test_fuzz_regressions.o: BASE += "-DRC_FUZZ_TARGETS=$$(foreach t,$$(FUZZ_TARGETS),RC_FUZZ_TARGET($$(t)))"
$(OUT)/$(1)/tests/test_fuzz_regressions.o: $$(FUZZ_SRC)
$(OUT)/$(1)/bin/test_fuzz_regressions: $(OUT)/$(1)/tests/test_fuzz_regressions.o \
		$$(FUZZ_TARGETS:%=$(OUT)/$(1)/tests/fuzz/%.replay.o) $$($(1)_FUZ) $$($(1)_SUP) $$(CLI_SRC:%.c=$(OUT)/$(1)/%.o) \
		$(OUT)/$(1)/librecur.a
	@mkdir -p $$(@D)
	$$($(1)_CC) $(2) $(3) $$^ $$(LDLIBS) -o $$@
# Built without the variant's flags: preloaded into its recur program, it
# only wraps a few libc calls (see the file).
$(OUT)/$(1)/tests/support/kill_shim.so: $(KILL_SHIM)
	@mkdir -p $$(@D)
	$$(CC) $$(WARN) -D_GNU_SOURCE -O2 -fPIC -shared $$< -ldl -o $$@
-include $$($(1)_OBJ:.o=.d) $$($(1)_SUP:.o=.d) $$($(1)_FUZ:.o=.d) $$(wildcard $(OUT)/$(1)/tests/*.d $(OUT)/$(1)/tests/fuzz/*.d)
$(1)_LINK := $(2) $(3)
$$(foreach d,$$(TOOL_DIRS),$$(eval $$(call tool,$(1),$$(d))))
endef

# $(1) variant, $(2) tool directory under tools/
define tool
$(OUT)/$(1)/$(2): $$(patsubst %.c,$(OUT)/$(1)/%.o,$$(wildcard tools/$(2)/*.c)) $(OUT)/$(1)/librecur.a
	$$($(1)_CC) $$($(1)_LINK) $$^ $$(LDLIBS) -o $$@
-include $$(patsubst %.c,$(OUT)/$(1)/%.d,$$(wildcard tools/$(2)/*.c))
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
.PHONY: all lib test sanitize check examples bench fuzz clean
all: lib examples $(TOOLS:%=$(OUT)/rel/%) $(TOOL_DIRS:%=$(OUT)/rel/%)
lib: $(OUT)/rel/librecur.a $(OUT)/rel/librecur.so

$(OUT)/rel/librecur.so: $(rel_OBJ)
	$(CC) -shared $^ $(LDLIBS) -o $@

$(OUT)/rel/%: tools/%.c $(OUT)/rel/librecur.a
	@mkdir -p $(@D)
	$(CC) $(BASE) $(REL_FLAGS) $< $(OUT)/rel/librecur.a $(LDLIBS) -o $@

$(OUT)/rel/examples/%: examples/%.c $(OUT)/rel/librecur.a
	@mkdir -p $(@D)
	$(CC) $(BASE) $(REL_FLAGS) $< $(OUT)/rel/librecur.a $(LDLIBS) -o $@

examples: $(EXAMPLES:%=$(OUT)/rel/examples/%)

TEST_BINS := $(F32_TESTS:%=$(OUT)/rel/bin/%) $(F64_TESTS:%=$(OUT)/f64/bin/%)
SAN_BINS  := $(F32_TESTS:%=$(OUT)/asan/bin/%) $(F64_TESTS:%=$(OUT)/asan-f64/bin/%)

# The shell tests under tests/cli run the program named by RECUR and print
# "N passed, N failed" like the test binaries; tests/cli/kill_e2e.sh preloads
# tests/support/kill_shim.so from RECUR's build directory.
test: $(TEST_BINS) examples $(OUT)/rel/recur $(OUT)/rel/tests/support/kill_shim.so
	EXAMPLES_DIR=$(OUT)/rel/examples scripts/run_examples.sh
	RECUR=$(OUT)/rel/recur scripts/run_tests.sh $(TEST_BINS) $(CLI_TESTS)

sanitize: $(SAN_BINS) $(OUT)/asan/recur $(OUT)/asan/tests/support/kill_shim.so
	RECUR=$(OUT)/asan/recur scripts/run_tests.sh $(SAN_BINS) $(CLI_TESTS)

check: $(TEST_BINS) $(SAN_BINS) examples $(OUT)/rel/recur $(OUT)/rel/tests/support/kill_shim.so
	EXAMPLES_DIR=$(OUT)/rel/examples scripts/run_examples.sh
	RECUR=$(OUT)/rel/recur scripts/run_tests.sh $(TEST_BINS) $(SAN_BINS) $(CLI_TESTS)

# The layer-stack drivers are the recur program's bench command under their
# own names, each timing one implementation: they link the program's objects.
# oneDNN's (libdnnl-dev) is built only where its header is installed.
BENCH_CLI  := $(CLI_SRC:%.c=$(OUT)/rel/%.o) $(OUT)/rel/librecur.a
BENCH_BINS := $(OUT)/rel/bench/rnn_bench $(OUT)/rel/bench/sgemm_bench
ifneq ($(wildcard /usr/include/oneapi/dnnl/dnnl.h),)
BENCH_BINS += $(OUT)/rel/bench/onednn_rnn
endif
bench: $(BENCH_BINS)

$(OUT)/rel/bench/rnn_bench: $(OUT)/rel/bench/rnn_bench.o $(BENCH_CLI)
	$(CC) $(REL_FLAGS) $^ $(LDLIBS) -o $@

# oneDNN runs on OpenMP threads, which --threads sets, in every build.
$(OUT)/rel/bench/onednn_rnn.o: BASE += -fopenmp
$(OUT)/rel/bench/onednn_rnn: $(OUT)/rel/bench/onednn_rnn.o $(BENCH_CLI)
	$(CC) $(REL_FLAGS) $^ $(LDLIBS) -ldnnl -fopenmp -o $@
-include $(wildcard $(OUT)/rel/bench/*.d)

$(OUT)/rel/bench/sgemm_bench: bench/sgemm_bench.c $(OUT)/rel/librecur.a
	@mkdir -p $(@D)
	$(CC) $(BASE) $(REL_FLAGS) $< $(OUT)/rel/librecur.a $(LDLIBS) -ldl -o $@

# A target is tests/fuzz/fuzz_NAME.c defining LLVMFuzzerTestOneInput; its
# seeds are in tests/fuzz/corpus/NAME/, crash inputs in tests/fuzz/regressions/NAME/.
# Targets may call the recur program's functions (model files) too.
$(OUT)/fuzz/bin/fuzz_%: $(OUT)/fuzz/tests/fuzz/fuzz_%.o $(fuzz_FUZ) $(CLI_SRC:%.c=$(OUT)/fuzz/%.o) $(OUT)/fuzz/librecur.a
	@mkdir -p $(@D)
	$(fuzz_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $^ $(LDLIBS) -o $@

fuzz: $(FUZZ_TARGETS:%=$(OUT)/fuzz/bin/%)

clean:
	rm -rf build
