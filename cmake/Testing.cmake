# SPDX-License-Identifier: BSD-3-Clause
# cmake/Testing.cmake -- helpers that register tests with ctest
#
# add_cmocka_test(<name> SOURCES <files...> [LIBS <libs...>]
#                 [LABELS <labels...>] [FIXTURES <fixtures...>]
#                 [TIMEOUT <seconds>] [ENV <VAR=value...>])
#   Builds a cmocka test executable <name> and registers it. LABELS defaults
#   to "unit". FIXTURES lists ctest fixtures the test requires (e.g. sshd).
#   Exit status 77 (tests/common/test_skip.h) is reported as skipped.
function(add_cmocka_test name)
	cmake_parse_arguments(T "" "TIMEOUT"
		"SOURCES;LIBS;LABELS;FIXTURES;ENV" ${ARGN})
	if(NOT T_LABELS)
		set(T_LABELS unit)
	endif()
	if(NOT T_TIMEOUT)
		set(T_TIMEOUT 120)
	endif()
	add_executable(${name} ${T_SOURCES})
	target_link_libraries(${name} PRIVATE PkgConfig::CMOCKA ${T_LIBS})
	target_include_directories(${name} PRIVATE
		${PROJECT_INCLUDE_DIR} ${COMMON_SRC_DIR}
		${CMAKE_SOURCE_DIR}/tests/common)
	add_test(NAME ${name} COMMAND ${name})
	set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}"
		TIMEOUT ${T_TIMEOUT} SKIP_RETURN_CODE 77)
	if(T_FIXTURES)
		set_tests_properties(${name} PROPERTIES
			FIXTURES_REQUIRED "${T_FIXTURES}")
	endif()
	if(T_ENV)
		set_tests_properties(${name} PROPERTIES ENVIRONMENT "${T_ENV}")
	endif()
endfunction()

# add_cmocka_case(<name> <case> [ENV <VAR=value...>])
#   Gives the case test_<case> of cmocka test <name> its own ctest entry
#   <name>-<case> (TEST_FILTER) and leaves it out of <name>'s entry
#   (TEST_SKIP_FILTER), so that a case that may skip (exit 77) is reported
#   as skipped on its own (the program calls test_filters()).
function(add_cmocka_case name case)
	cmake_parse_arguments(T "" "" "ENV" ${ARGN})
	get_test_property(${name} LABELS labels)
	get_test_property(${name} TIMEOUT timeout)
	add_test(NAME ${name}-${case} COMMAND ${name})
	set_tests_properties(${name}-${case} PROPERTIES LABELS "${labels}"
		TIMEOUT ${timeout} SKIP_RETURN_CODE 77
		ENVIRONMENT "TEST_FILTER=test_${case};${T_ENV}")
	set_property(TEST ${name} APPEND PROPERTY ENVIRONMENT
		"TEST_SKIP_FILTER=test_${case}")
endfunction()

# add_script_test(<name> COMMAND <cmd...> [LABELS ...] [FIXTURES ...]
#                 [TIMEOUT s] [ENV ...])
#   Registers a shell-driven test.
function(add_script_test name)
	cmake_parse_arguments(T "" "TIMEOUT" "COMMAND;LABELS;FIXTURES;ENV"
		${ARGN})
	if(NOT T_LABELS)
		set(T_LABELS integration)
	endif()
	if(NOT T_TIMEOUT)
		set(T_TIMEOUT 300)
	endif()
	add_test(NAME ${name} COMMAND ${T_COMMAND})
	set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}"
		TIMEOUT ${T_TIMEOUT})
	if(T_FIXTURES)
		set_tests_properties(${name} PROPERTIES
			FIXTURES_REQUIRED "${T_FIXTURES}")
	endif()
	if(T_ENV)
		set_tests_properties(${name} PROPERTIES ENVIRONMENT "${T_ENV}")
	endif()
endfunction()

# add_fuzz_target(<name> SOURCES <files...> [LIBS <libs...>]
#                 [CORPUS <dir>] [RUNS <n>])
#   A fuzz target defines LLVMFuzzerTestOneInput(). With BUILD_FUZZERS=ON and
#   clang it is linked with libFuzzer and the ctest (label fuzz) runs it for
#   RUNS executions (default 20000) starting from CORPUS (default
#   tests/fuzz/corpus/<name>); otherwise it is linked with tests/fuzz/replay.c
#   and the ctest replays every file of the corpus once. Long runs by hand:
#   build-asan/tests/fuzz/<name> -runs=1000000 tests/fuzz/corpus/<name>
function(add_fuzz_target name)
	cmake_parse_arguments(F "" "CORPUS;RUNS" "SOURCES;LIBS" ${ARGN})
	if(NOT F_CORPUS)
		set(F_CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${name})
	endif()
	if(NOT F_RUNS)
		set(F_RUNS 20000)
	endif()
	if(BUILD_FUZZERS AND CMAKE_C_COMPILER_ID STREQUAL "Clang")
		add_executable(${name} ${F_SOURCES})
		target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
		target_link_options(${name} PRIVATE -fsanitize=fuzzer)
		# new inputs go to a build-tree directory listed first, so the
		# seed corpus in the source tree is only read
		set(work ${CMAKE_CURRENT_BINARY_DIR}/corpus-${name})
		file(MAKE_DIRECTORY ${work})
		set(cmd ${name} -runs=${F_RUNS} -max_total_time=60
			-timeout=10 ${work} ${F_CORPUS})
	else()
		add_executable(${name} ${F_SOURCES}
			${CMAKE_SOURCE_DIR}/tests/fuzz/replay.c)
		set(cmd ${name} ${F_CORPUS})
	endif()
	target_link_libraries(${name} PRIVATE ${F_LIBS})
	target_include_directories(${name} PRIVATE
		${PROJECT_INCLUDE_DIR} ${COMMON_SRC_DIR})
	add_test(NAME fuzz_${name} COMMAND ${cmd})
	set_tests_properties(fuzz_${name} PROPERTIES LABELS fuzz TIMEOUT 180)
endfunction()
