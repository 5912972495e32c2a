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
#
# The plain files find the installation from where they are, so a tree
# installed with `cmake --install --prefix <anywhere>` (or moved later) is
# right: the .pc files say prefix=${pcfiledir}/<back up to the prefix>,
# the package config walks up from its own directory. Only absolute
# CMAKE_INSTALL_LIBDIR / INCLUDEDIR values are written as they are. The
# Debian .pc files say prefix=/usr.
function(rpmemng_dev_files pkg tgt pc_in component prefix libdir)
	set(PKG ${pkg})
	set(TGT ${tgt})
	set(incdir ${CMAKE_INSTALL_INCLUDEDIR})
	if(component)
		set(incdir include)
	endif()
	if(IS_ABSOLUTE ${libdir})
		set(PC_PREFIX ${prefix})
		set(CFG_PREFIX ${prefix})
	else()
		file(RELATIVE_PATH up /p/${libdir}/pkgconfig /p)
		string(REGEX REPLACE "/$" "" up "${up}")
		set(PC_PREFIX "\${pcfiledir}/${up}")
		file(RELATIVE_PATH up /p/${libdir}/cmake/${pkg} /p)
		set(CFG_PREFIX "\${CMAKE_CURRENT_LIST_DIR}/${up}")
	endif()
	if(component) # pkg-config users of a root elsewhere set a sysroot
		set(PC_PREFIX ${prefix})
	endif()
	foreach(d libdir incdir)
		if(IS_ABSOLUTE ${${d}})
			set(pc_${d} ${${d}})
			set(cfg_${d} ${${d}})
		else()
			set(pc_${d} "\${prefix}/${${d}}")
			set(cfg_${d} "\${_pfx}/${${d}}")
		endif()
	endforeach()
	# what the templates read
	set(PC_LIBDIR ${pc_libdir})
	set(PC_INCLUDEDIR ${pc_incdir})
	set(CFG_LIBDIR ${cfg_libdir})
	set(CFG_INCLUDEDIR ${cfg_incdir})
	if(component)
		set(dir ${CMAKE_BINARY_DIR}/deb/${pkg})
		set(opts COMPONENT ${component} EXCLUDE_FROM_ALL)
	else()
		set(dir ${CMAKE_BINARY_DIR}/cmake/${pkg})
		set(opts ${PLAIN_OPTS})
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
	rpmemng_dev_files(librpmem rpmem
		${PROJECT_SOURCE_DIR}/src/librpmem/librpmem.pc.in ""
		${CMAKE_INSTALL_PREFIX} ${CMAKE_INSTALL_LIBDIR})
	rpmemng_dev_files(librpmem rpmem
		${PROJECT_SOURCE_DIR}/src/librpmem/librpmem.pc.in
		librpmem-dev ${DEB_PREFIX} ${DEB_LIBDIR})
endif()
if(TARGET pmemobj)
	set(PLAIN_OPTS ${PMEMOBJ_INSTALL_OPTS})
	rpmemng_dev_files(libpmemobj pmemobj
		${PROJECT_SOURCE_DIR}/cmake/libpmemobj.pc.in ""
		${CMAKE_INSTALL_PREFIX} ${CMAKE_INSTALL_LIBDIR})
	rpmemng_dev_files(libpmemobj pmemobj
		${PROJECT_SOURCE_DIR}/cmake/libpmemobj.pc.in
		rpmem-ng-pmemobj-dev ${DEB_PREFIX} ${DEB_LIBDIR})
	unset(PLAIN_OPTS)
endif()

# Debian packages: `cpack -G DEB` in the build directory makes librpmem1,
# librpmem-dev and rpmemd. They complement Debian's PMDK packages (which
# have no librpmem and no rpmemd): Debian's libpmemobj1 and pmempool load
# our librpmem.so.1 for remote replicas.
#
# Our libpmemobj is the persistence subset of PMDK's, so it must never
# stand in for Debian's libpmemobj1 behind a user's back. Only with
# -DPACKAGE_PMEMOBJ=ON does cpack also make rpmem-ng-pmemobj1 and
# rpmem-ng-pmemobj-dev: other names than Debian's, no Provides and no
# Replaces, and Conflicts with libpmemobj1 / libpmemobj-dev, so that dpkg
# refuses them next to Debian's, and apt asks to remove Debian's packages
# first (listing them) instead of replacing them silently.
#
# The rules below repeat the plain ones of src/ and doc/ in the Debian
# layout, each with its package's component and EXCLUDE_FROM_ALL, so
# `cmake --install` ignores them and cpack installs nothing else.
option(PACKAGE_PMEMOBJ
	"cpack also makes rpmem-ng-pmemobj1/-dev (conflict with Debian's libpmemobj1/-dev)"
	OFF)
# <component> <man section dir> <file pattern>: rendered pages (doc target)
function(rpmemng_deb_man component sect pattern)
	install(DIRECTORY ${CMAKE_BINARY_DIR}/doc/${sect}/
		DESTINATION share/man/${sect} OPTIONAL
		COMPONENT ${component} EXCLUDE_FROM_ALL
		FILES_MATCHING PATTERN "${pattern}")
endfunction()
# <component> <section dir> <page>: one rendered page, compressed as
# Debian's are, so that it takes the place of a diverted Debian page
function(rpmemng_deb_man_gz component sect page)
	install(CODE "
		set(src \"${CMAKE_BINARY_DIR}/doc/${sect}/${page}\")
		set(dst \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/share/man/${sect}\")
		if(EXISTS \${src})
			file(MAKE_DIRECTORY \${dst})
			execute_process(COMMAND gzip -9nc \${src}
				OUTPUT_FILE \${dst}/${page}.gz
				COMMAND_ERROR_IS_FATAL ANY)
		endif()"
		COMPONENT ${component} EXCLUDE_FROM_ALL)
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
if(TARGET rpmemd)
	install(TARGETS rpmemd RUNTIME DESTINATION bin
		COMPONENT rpmemd EXCLUDE_FROM_ALL)
	# Debian's pmdk-tools has an rpmemd.1.gz for PMDK's daemon, which it
	# does not ship: the package's maintainer scripts divert it while ours
	# is installed (cmake/deb/rpmemd)
	rpmemng_deb_man_gz(rpmemd man1 rpmemd.1)
	# poolset(5) is PMDK's page, in Debian's libpmem1: ours has a name of
	# its own so that neither hides the other
	rpmemng_deb_man_gz(rpmemd man5 rpmemd-poolset.5)
	list(APPEND comps rpmemd)
endif()
# the rules exist in every build (`cpack -D CPACK_COMPONENTS_ALL=...` can
# name them); the option only puts them in the default set
if(TARGET pmemobj)
	install(TARGETS pmemobj LIBRARY DESTINATION ${DEB_LIBDIR}
		COMPONENT rpmem-ng-pmemobj1
		NAMELINK_COMPONENT rpmem-ng-pmemobj-dev EXCLUDE_FROM_ALL)
	install(FILES ${PROJECT_INCLUDE_DIR}/libpmemobj.h DESTINATION include
		COMPONENT rpmem-ng-pmemobj-dev EXCLUDE_FROM_ALL)
	install(DIRECTORY ${PROJECT_INCLUDE_DIR}/libpmemobj DESTINATION include
		COMPONENT rpmem-ng-pmemobj-dev EXCLUDE_FROM_ALL)
	rpmemng_deb_man(rpmem-ng-pmemobj-dev man3 "pmemobj_*.3")
	rpmemng_deb_man(rpmem-ng-pmemobj-dev man7 libpmemobj.7)
	if(PACKAGE_PMEMOBJ)
		list(APPEND comps rpmem-ng-pmemobj1 rpmem-ng-pmemobj-dev)
	endif()
endif()

# the license and the credit to PMDK (NOTICE) go with every package and
# every plain install
set(legal ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/NOTICE)
install(FILES ${legal} DESTINATION ${CMAKE_INSTALL_DOCDIR})
foreach(c ${comps} rpmem-ng-pmemobj1 rpmem-ng-pmemobj-dev)
	install(FILES ${legal} DESTINATION share/doc/${c}
		COMPONENT ${c} EXCLUDE_FROM_ALL)
endforeach()

set(CPACK_COMPONENTS_ALL ${comps})
set(CPACK_PACKAGE_NAME rpmem-ng)
set(CPACK_PACKAGE_VENDOR rpmem-ng)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "rpmem-ng maintainers <rpmem-ng@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
	"remote persistent memory (librpmem, rpmemd)")
set(CPACK_COMPONENT_LIBRPMEM1_DESCRIPTION
	"remote persistent memory access library (PMDK 1.12.1 librpmem)")
set(CPACK_COMPONENT_LIBRPMEM-DEV_DESCRIPTION
	"development files for librpmem1 (header, pkg-config, CMake, man pages)")
set(CPACK_COMPONENT_RPMEMD_DESCRIPTION
	"remote persistent memory daemon (serves librpmem and libpmemobj replicas)")
set(CPACK_COMPONENT_RPMEM-NG-PMEMOBJ1_DESCRIPTION
	"persistence subset of libpmemobj (no transactions, no allocator)")
set(CPACK_COMPONENT_RPMEM-NG-PMEMOBJ-DEV_DESCRIPTION
	"development files for rpmem-ng-pmemobj1")
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
	set(CPACK_DEBIAN_RPMEM-NG-PMEMOBJ1_PACKAGE_SHLIBDEPS ON)
	set(CPACK_DEBIAN_RPMEMD_PACKAGE_SHLIBDEPS ON)
else()
	set(CPACK_DEBIAN_LIBRPMEM1_PACKAGE_DEPENDS "libfabric1 (>= 1.10), libc6")
	set(CPACK_DEBIAN_RPMEM-NG-PMEMOBJ1_PACKAGE_DEPENDS "libc6")
	set(CPACK_DEBIAN_RPMEMD_PACKAGE_DEPENDS "libfabric1 (>= 1.10), libc6")
endif()
set(v "(= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_LIBRPMEM1_PACKAGE_NAME librpmem1)
set(CPACK_DEBIAN_LIBRPMEM-DEV_PACKAGE_NAME librpmem-dev)
set(CPACK_DEBIAN_LIBRPMEM-DEV_PACKAGE_DEPENDS
	"librpmem1 ${v}, libfabric-dev (>= 1.10)") # librpmem.pc requires libfabric
set(CPACK_DEBIAN_RPMEMD_PACKAGE_NAME rpmemd)
set(CPACK_DEBIAN_RPMEMD_PACKAGE_CONTROL_EXTRA
	${PROJECT_SOURCE_DIR}/cmake/deb/rpmemd/preinst
	${PROJECT_SOURCE_DIR}/cmake/deb/rpmemd/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_RPMEM-NG-PMEMOBJ1_PACKAGE_NAME rpmem-ng-pmemobj1)
set(CPACK_DEBIAN_RPMEM-NG-PMEMOBJ1_PACKAGE_CONFLICTS libpmemobj1)
set(CPACK_DEBIAN_RPMEM-NG-PMEMOBJ-DEV_PACKAGE_NAME rpmem-ng-pmemobj-dev)
set(CPACK_DEBIAN_RPMEM-NG-PMEMOBJ-DEV_PACKAGE_DEPENDS "rpmem-ng-pmemobj1 ${v}")
set(CPACK_DEBIAN_RPMEM-NG-PMEMOBJ-DEV_PACKAGE_CONFLICTS libpmemobj-dev)
set(CPACK_DEBIAN_LIBRPMEM-DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_RPMEM-NG-PMEMOBJ-DEV_PACKAGE_SECTION libdevel)
include(CPack)
