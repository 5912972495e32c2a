# SPDX-License-Identifier: BSD-3-Clause
# cmake/Packaging.cmake -- pkg-config files, CMake package configs and
# Debian packages (CPack) for whatever libraries this build has
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The Debian layout is fixed whatever CMAKE_INSTALL_PREFIX says: /usr, the
# multiarch library directory, /usr/share/man.
if(CMAKE_LIBRARY_ARCHITECTURE)
	set(DEB_MULTIARCH ${CMAKE_LIBRARY_ARCHITECTURE})
else()
	execute_process(COMMAND dpkg-architecture -qDEB_HOST_MULTIARCH
		OUTPUT_VARIABLE DEB_MULTIARCH OUTPUT_STRIP_TRAILING_WHITESPACE
		ERROR_QUIET)
endif()
set(DEB_PREFIX /usr)
if(DEB_MULTIARCH)
	set(DEB_LIBDIR lib/${DEB_MULTIARCH})
else()
	set(DEB_LIBDIR lib)
endif()

# <pkg> <target> <pc template or ""> <component or ""> <prefix> <libdir>:
# <pkg>.pc and <libdir>/cmake/<pkg>/<pkg>-config.cmake + version file for
# one layout. With a component the rules are EXCLUDE_FROM_ALL: only cpack
# (which installs component by component) installs them; without one they
# are part of a plain `cmake --install`.
function(rpmemng_dev_files pkg tgt pc_in component prefix libdir)
	set(PKG ${pkg})
	set(TGT ${tgt})
	# the .pc templates and the package config read these two
	set(CMAKE_INSTALL_PREFIX ${prefix})
	set(CMAKE_INSTALL_LIBDIR ${libdir})
	# from <libdir>/cmake/<pkg> back up to the prefix
	file(RELATIVE_PATH PFX_REL /p/${libdir}/cmake/${pkg} /p)
	if(component)
		set(dir ${CMAKE_BINARY_DIR}/deb/${pkg})
		set(opts COMPONENT ${component} EXCLUDE_FROM_ALL)
	else()
		set(dir ${CMAKE_BINARY_DIR}/cmake/${pkg})
		set(opts)
	endif()
	configure_file(${PROJECT_SOURCE_DIR}/cmake/PackageConfig.cmake.in
		${dir}/${pkg}-config.cmake @ONLY)
	write_basic_package_version_file(${dir}/${pkg}-config-version.cmake
		VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
	install(FILES ${dir}/${pkg}-config.cmake
		${dir}/${pkg}-config-version.cmake
		DESTINATION ${libdir}/cmake/${pkg} ${opts})
	if(pc_in)
		configure_file(${pc_in} ${dir}/${pkg}.pc @ONLY)
		install(FILES ${dir}/${pkg}.pc
			DESTINATION ${libdir}/pkgconfig ${opts})
	endif()
endfunction()

if(TARGET rpmem)
	# the plain librpmem.pc is installed by src/librpmem
	rpmemng_dev_files(librpmem rpmem "" ""
		${CMAKE_INSTALL_PREFIX} ${CMAKE_INSTALL_LIBDIR})
	rpmemng_dev_files(librpmem rpmem
		${PROJECT_SOURCE_DIR}/src/librpmem/librpmem.pc.in
		librpmem-dev ${DEB_PREFIX} ${DEB_LIBDIR})
endif()
if(TARGET pmemobj)
	rpmemng_dev_files(libpmemobj pmemobj
		${PROJECT_SOURCE_DIR}/cmake/libpmemobj.pc.in ""
		${CMAKE_INSTALL_PREFIX} ${CMAKE_INSTALL_LIBDIR})
	rpmemng_dev_files(libpmemobj pmemobj
		${PROJECT_SOURCE_DIR}/cmake/libpmemobj.pc.in
		libpmemobj-dev ${DEB_PREFIX} ${DEB_LIBDIR})
endif()

# Debian packages: `cpack -G DEB` in the build directory makes librpmem1,
# librpmem-dev, libpmemobj1, libpmemobj-dev and rpmemd. The rules below
# repeat the plain ones of src/ and doc/ in the Debian layout, each with its
# package's component and EXCLUDE_FROM_ALL, so `cmake --install` ignores
# them and cpack installs nothing else.
# <component> <man section dir> <file pattern>: rendered pages (doc target)
function(rpmemng_deb_man component sect pattern)
	install(DIRECTORY ${CMAKE_BINARY_DIR}/doc/${sect}/
		DESTINATION share/man/${sect} OPTIONAL
		COMPONENT ${component} EXCLUDE_FROM_ALL
		FILES_MATCHING PATTERN "${pattern}")
endfunction()
set(comps)
if(TARGET rpmem)
	install(TARGETS rpmem LIBRARY DESTINATION ${DEB_LIBDIR}
		COMPONENT librpmem1 NAMELINK_COMPONENT librpmem-dev
		EXCLUDE_FROM_ALL)
	install(FILES ${PROJECT_INCLUDE_DIR}/librpmem.h DESTINATION include
		COMPONENT librpmem-dev EXCLUDE_FROM_ALL)
	rpmemng_deb_man(librpmem-dev man3 "rpmem_*.3")
	rpmemng_deb_man(librpmem-dev man7 librpmem.7)
	list(APPEND comps librpmem1 librpmem-dev)
endif()
if(TARGET pmemobj)
	install(TARGETS pmemobj LIBRARY DESTINATION ${DEB_LIBDIR}
		COMPONENT libpmemobj1 NAMELINK_COMPONENT libpmemobj-dev
		EXCLUDE_FROM_ALL)
	install(FILES ${PROJECT_INCLUDE_DIR}/libpmemobj.h DESTINATION include
		COMPONENT libpmemobj-dev EXCLUDE_FROM_ALL)
	install(DIRECTORY ${PROJECT_INCLUDE_DIR}/libpmemobj DESTINATION include
		COMPONENT libpmemobj-dev EXCLUDE_FROM_ALL)
	rpmemng_deb_man(libpmemobj-dev man3 "pmemobj_*.3")
	rpmemng_deb_man(libpmemobj-dev man7 libpmemobj.7)
	list(APPEND comps libpmemobj1 libpmemobj-dev)
endif()
if(TARGET rpmemd)
	install(TARGETS rpmemd RUNTIME DESTINATION bin
		COMPONENT rpmemd EXCLUDE_FROM_ALL)
	rpmemng_deb_man(rpmemd man1 rpmemd.1)
	rpmemng_deb_man(rpmemd man5 poolset.5)
	list(APPEND comps rpmemd)
endif()

set(CPACK_COMPONENTS_ALL ${comps})
set(CPACK_PACKAGE_NAME rpmem-ng)
set(CPACK_PACKAGE_VENDOR rpmem-ng)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "rpmem-ng maintainers <rpmem-ng@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
	"remote persistent memory (librpmem, rpmemd) and libpmemobj subset")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX ${DEB_PREFIX})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RPMEMD_PACKAGE_SECTION net)
# The run-time dependencies (libc6, libfabric1 with the versions the
# binaries need) come from dpkg-shlibdeps where it exists; the -dev packages
# need their library package of exactly this version.
find_program(DPKG_SHLIBDEPS dpkg-shlibdeps)
if(DPKG_SHLIBDEPS)
	set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
	set(CPACK_DEBIAN_LIBRPMEM1_PACKAGE_SHLIBDEPS ON)
	set(CPACK_DEBIAN_LIBPMEMOBJ1_PACKAGE_SHLIBDEPS ON)
	set(CPACK_DEBIAN_RPMEMD_PACKAGE_SHLIBDEPS ON)
else()
	set(CPACK_DEBIAN_LIBRPMEM1_PACKAGE_DEPENDS "libfabric1 (>= 1.10), libc6")
	set(CPACK_DEBIAN_LIBPMEMOBJ1_PACKAGE_DEPENDS "libc6")
	set(CPACK_DEBIAN_RPMEMD_PACKAGE_DEPENDS "libfabric1 (>= 1.10), libc6")
endif()
set(v "(= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_LIBRPMEM1_PACKAGE_NAME librpmem1)
set(CPACK_DEBIAN_LIBRPMEM-DEV_PACKAGE_NAME librpmem-dev)
set(CPACK_DEBIAN_LIBRPMEM-DEV_PACKAGE_DEPENDS
	"librpmem1 ${v}, libfabric-dev (>= 1.10)") # librpmem.pc requires libfabric
set(CPACK_DEBIAN_LIBPMEMOBJ1_PACKAGE_NAME libpmemobj1)
set(CPACK_DEBIAN_LIBPMEMOBJ-DEV_PACKAGE_NAME libpmemobj-dev)
set(CPACK_DEBIAN_LIBPMEMOBJ-DEV_PACKAGE_DEPENDS "libpmemobj1 ${v}")
set(CPACK_DEBIAN_RPMEMD_PACKAGE_NAME rpmemd)
set(CPACK_DEBIAN_LIBRPMEM-DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_LIBPMEMOBJ-DEV_PACKAGE_SECTION libdevel)
include(CPack)
