# SPDX-License-Identifier: BSD-3-Clause
# cmake/Testing.cmake -- helpers that register tests with ctest
#
# add_cmocka_test(<name> SOURCES <files...> [LIBS <libs...>]
#                 [LABELS <labels...>] [FIXTURES <fixtures...>]
#                 [TIMEOUT <seconds>] [ENV <VAR=value...>])
#   Builds a cmocka test executable <name> and registers it. LABELS defaults
#   to "unit". FIXTURES lists ctest fixtures the test requires (e.g. sshd).
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
		TIMEOUT ${T_TIMEOUT})
	if(T_FIXTURES)
		set_tests_properties(${name} PROPERTIES
			FIXTURES_REQUIRED "${T_FIXTURES}")
	endif()
	if(T_ENV)
		set_tests_properties(${name} PROPERTIES ENVIRONMENT "${T_ENV}")
	endif()
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
