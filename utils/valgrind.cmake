# SPDX-License-Identifier: BSD-3-Clause
#
# valgrind.cmake -- runs test programs of a build under valgrind's memcheck
#
#   cmake -DBUILD_DIR=build [-DLABEL=unit] [-DTESTS=<ctest regex>] \
#         [-DFULL=ON] -P utils/valgrind.cmake
#
# Takes the tests ctest knows in BUILD_DIR (the unit tests, and the
# integration tests labelled valgrind, or valgrind-full with -DFULL=ON, in
# tests/*/CMakeLists.txt; TESTS names others by a regex instead) with their
# commands, environments and working directories, and runs each program
# under memcheck. rpmemd runs under memcheck too: RPMEMD_BIN points to a
# wrapper (also where ssh starts it), and the private sshd of
# utils/sshd-fixture.sh serves the tests that need one. Shell and Python
# script tests are left out. A test fails when it fails, when memcheck
# reports an error or a definite leak in it or in any rpmemd it started,
# and is reported as skipped when it exits 77. utils/valgrind.supp lists
# what is suppressed (libfabric's own findings, one forked child) and why.
#
# The exit status is non-zero when any test failed. Logs, one per process:
# BUILD_DIR/valgrind/.
cmake_minimum_required(VERSION 3.19)
if(NOT BUILD_DIR)
	message(FATAL_ERROR "usage: cmake -DBUILD_DIR=<build> -P valgrind.cmake")
endif()
get_filename_component(BUILD_DIR "${BUILD_DIR}" ABSOLUTE)
get_filename_component(TOP "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
if(NOT DEFINED LABEL)
	set(LABEL unit)
endif()
# the default integration tests (label valgrind) take about four minutes
# on two cores; -DFULL=ON (label valgrind-full) adds every rpmemd daemon
# test and more client cases (nine). The labels are set where the tests
# are registered (tests/integration/CMakeLists.txt and its rpmemd/).
if(FULL)
	set(INTEGRATION_LABEL valgrind-full)
else()
	set(INTEGRATION_LABEL valgrind)
endif()
find_program(VALGRIND valgrind REQUIRED)

set(logs ${BUILD_DIR}/valgrind)
file(REMOVE_RECURSE ${logs})
file(MAKE_DIRECTORY ${logs})
set(vg_opts -q --error-exitcode=99 --leak-check=full
	--show-leak-kinds=definite --errors-for-leak-kinds=definite
	--child-silent-after-fork=yes --num-callers=30
	--suppressions=${TOP}/utils/valgrind.supp
	# the test programs that re-execute themselves are followed; system
	# programs (sh, ssh, cat) and scripts are not
	--trace-children=yes "--trace-children-skip=/bin/*,/usr/*,*.sh,*/ssh")

# the tests: name, command, environment, working directory
function(ctest_json out)
	execute_process(COMMAND ctest --show-only=json-v1 ${ARGN}
		WORKING_DIRECTORY ${BUILD_DIR} OUTPUT_VARIABLE json
		RESULT_VARIABLE rc)
	if(rc)
		message(FATAL_ERROR "ctest --show-only failed in ${BUILD_DIR}")
	endif()
	set(${out} "${json}" PARENT_SCOPE)
endfunction()

# rpmemd under memcheck, for direct starts and for those through ssh
function(make_rpmemd_wrapper real out)
	list(JOIN vg_opts "' '" opts)
	file(WRITE ${logs}/rpmemd
		"#!/bin/sh\nexec '${VALGRIND}' '${opts}' "
		"'--log-file=${logs}/rpmemd.%p.log' '${real}' \"$@\"\n")
	file(CHMOD ${logs}/rpmemd PERMISSIONS OWNER_READ OWNER_WRITE
		OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
	set(${out} ${logs}/rpmemd PARENT_SCOPE)
endfunction()

# the value of property <prop> of test <i> (a list for list values)
function(test_prop json i prop out)
	set(val "")
	string(JSON np ERROR_VARIABLE none LENGTH "${json}" tests ${i}
		properties)
	if(NOT none AND np GREATER 0)
		math(EXPR last "${np} - 1")
		foreach(k RANGE ${last})
			string(JSON name GET "${json}" tests ${i} properties ${k} name)
			if(name STREQUAL prop)
				string(JSON type TYPE "${json}" tests ${i} properties
					${k} value)
				if(type STREQUAL "ARRAY")
					string(JSON n LENGTH "${json}" tests ${i}
						properties ${k} value)
					math(EXPR nl "${n} - 1")
					foreach(e RANGE ${nl})
						string(JSON v GET "${json}" tests ${i}
							properties ${k} value ${e})
						list(APPEND val "${v}")
					endforeach()
				else()
					string(JSON val GET "${json}" tests ${i}
						properties ${k} value)
				endif()
			endif()
		endforeach()
	endif()
	set(${out} "${val}" PARENT_SCOPE)
endfunction()

# runs test <i>; appends its name to FAILED or SKIPPED in the caller
function(run_test json i rpmemd fixture)
	string(JSON name GET "${json}" tests ${i} name)
	string(JSON nc ERROR_VARIABLE none LENGTH "${json}" tests ${i} command)
	if(none OR nc EQUAL 0)
		return()
	endif()
	math(EXPR last "${nc} - 1")
	set(cmd)
	foreach(k RANGE ${last})
		string(JSON a GET "${json}" tests ${i} command ${k})
		list(APPEND cmd "${a}")
	endforeach()
	list(GET cmd 0 prog)
	if(prog MATCHES "\\.(sh|py)$|/(ba)?sh$|/cmake$|/python3?$")
		return()
	endif()
	test_prop("${json}" ${i} ENVIRONMENT env)
	test_prop("${json}" ${i} WORKING_DIRECTORY wd)
	if(NOT wd)
		set(wd ${BUILD_DIR})
	endif()
	list(TRANSFORM env REPLACE "^RPMEMD_BIN=.*" "RPMEMD_BIN=${rpmemd}")
	list(TRANSFORM env REPLACE "^SSHD_FIXTURE_DIR=.*"
		"SSHD_FIXTURE_DIR=${fixture}")
	# the tests' bounds on waits for rpmemd grow (test_wait_ms())
	list(APPEND env RPMEM_TEST_WAIT_SCALE=10)
	string(TIMESTAMP t0 "%s")
	execute_process(COMMAND ${CMAKE_COMMAND} -E env ${env}
		${VALGRIND} ${vg_opts} --log-file=${logs}/${name}.%p.log ${cmd}
		WORKING_DIRECTORY ${wd} TIMEOUT 1200
		OUTPUT_FILE ${logs}/${name}.out ERROR_FILE ${logs}/${name}.out
		RESULT_VARIABLE rc)
	string(TIMESTAMP t1 "%s")
	math(EXPR secs "${t1} - ${t0}")
	file(GLOB reports ${logs}/${name}.*.log ${logs}/rpmemd.*.log)
	# empty reports go; rpmemd's are renamed after the test, so that a
	# later test starts without any
	set(bad "")
	foreach(r ${reports})
		file(SIZE ${r} size)
		if(size EQUAL 0)
			file(REMOVE ${r})
			continue()
		endif()
		if(r MATCHES "/rpmemd\\.[0-9]+\\.log$")
			get_filename_component(f ${r} NAME)
			file(RENAME ${r} ${logs}/${name}.${f})
			set(r ${logs}/${name}.${f})
		endif()
		string(APPEND bad " ${r}")
	endforeach()
	if(rc EQUAL 77 AND NOT bad)
		message(STATUS "skipped  ${name} (${secs} s)")
		set(SKIPPED ${SKIPPED} ${name} PARENT_SCOPE)
	elseif(rc EQUAL 0 AND NOT bad)
		message(STATUS "clean    ${name} (${secs} s)")
	else()
		message(STATUS "FAILED   ${name} (${secs} s, exit ${rc};${bad} see ${logs}/${name}.*)")
		set(FAILED ${FAILED} ${name} PARENT_SCOPE)
	endif()
endfunction()

ctest_json(unit -L "${LABEL}")
if(DEFINED TESTS)
	ctest_json(integration -R "${TESTS}")
else()
	ctest_json(integration -L "^${INTEGRATION_LABEL}$")
endif()

# the real rpmemd, from the tests' own environment
set(real "")
foreach(json unit integration)
	string(REGEX MATCH "RPMEMD_BIN=[^\"]*" m "${${json}}")
	if(m)
		string(REPLACE "RPMEMD_BIN=" "" real "${m}")
	endif()
endforeach()
make_rpmemd_wrapper("${real}" rpmemd)

set(fixture ${logs}/sshd)
execute_process(COMMAND ${TOP}/utils/sshd-fixture.sh start ${fixture}
	OUTPUT_QUIET RESULT_VARIABLE no_sshd)

set(FAILED)
set(SKIPPED)
foreach(json unit integration)
	string(JSON n LENGTH "${${json}}" tests)
	if(n EQUAL 0)
		continue()
	endif()
	math(EXPR last "${n} - 1")
	foreach(i RANGE ${last})
		run_test("${${json}}" ${i} ${rpmemd} ${fixture})
	endforeach()
endforeach()

if(NOT no_sshd)
	execute_process(COMMAND ${TOP}/utils/sshd-fixture.sh stop ${fixture}
		OUTPUT_QUIET)
endif()
list(LENGTH SKIPPED nskip)
if(FAILED)
	list(JOIN FAILED " " f)
	message(FATAL_ERROR "valgrind: failed: ${f}")
endif()
message(STATUS "valgrind: every test clean (${nskip} skipped)")
