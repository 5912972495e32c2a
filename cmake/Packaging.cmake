# SPDX-License-Identifier: BSD-3-Clause
# cmake/Packaging.cmake -- pkg-config files, CMake package configs and
# Debian packages (CPack) for whatever libraries this build has
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# <pkg> <target>: <libdir>/cmake/<pkg>/<pkg>-config.cmake + version file
function(rpmemng_package_config pkg tgt component)
	set(PKG ${pkg})
	set(TGT ${tgt})
	set(dir ${CMAKE_BINARY_DIR}/cmake/${pkg})
	configure_file(${PROJECT_SOURCE_DIR}/cmake/PackageConfig.cmake.in
		${dir}/${pkg}-config.cmake @ONLY)
	write_basic_package_version_file(${dir}/${pkg}-config-version.cmake
		VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
	install(FILES ${dir}/${pkg}-config.cmake
		${dir}/${pkg}-config-version.cmake
		DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/${pkg}
		COMPONENT ${component})
endfunction()

if(TARGET rpmem)
	rpmemng_package_config(librpmem rpmem librpmem-dev)
endif()
if(TARGET pmemobj)
	configure_file(${PROJECT_SOURCE_DIR}/cmake/libpmemobj.pc.in
		${CMAKE_BINARY_DIR}/libpmemobj.pc @ONLY)
	install(FILES ${CMAKE_BINARY_DIR}/libpmemobj.pc
		DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
		COMPONENT libpmemobj-dev)
	rpmemng_package_config(libpmemobj pmemobj libpmemobj-dev)
endif()

# Debian packages: `cpack -G DEB` in the build directory makes librpmem1,
# librpmem-dev, libpmemobj1, libpmemobj-dev and rpmemd. The install rules
# below repeat the plain ones of src/ with a component each (same files, same
# places), so `cmake --install` is unchanged and cpack can split by component.
set(docdir ${CMAKE_BINARY_DIR}/doc)
set(comps)
if(TARGET rpmem)
	install(TARGETS rpmem LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
		COMPONENT librpmem1 NAMELINK_COMPONENT librpmem-dev)
	install(FILES ${PROJECT_INCLUDE_DIR}/librpmem.h
		DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT librpmem-dev)
	install(FILES ${CMAKE_BINARY_DIR}/src/librpmem/librpmem.pc
		DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig OPTIONAL
		COMPONENT librpmem-dev)
	install(DIRECTORY ${docdir}/ DESTINATION ${CMAKE_INSTALL_MANDIR}
		OPTIONAL COMPONENT librpmem-dev FILES_MATCHING
		PATTERN "rpmem_*.3" PATTERN "librpmem.7")
	list(APPEND comps librpmem1 librpmem-dev)
endif()
if(TARGET pmemobj)
	install(TARGETS pmemobj LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
		COMPONENT libpmemobj1 NAMELINK_COMPONENT libpmemobj-dev)
	install(FILES ${PROJECT_INCLUDE_DIR}/libpmemobj.h
		DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT libpmemobj-dev)
	install(DIRECTORY ${PROJECT_INCLUDE_DIR}/libpmemobj
		DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT libpmemobj-dev)
	install(DIRECTORY ${docdir}/ DESTINATION ${CMAKE_INSTALL_MANDIR}
		OPTIONAL COMPONENT libpmemobj-dev FILES_MATCHING
		PATTERN "pmemobj_*.3" PATTERN "libpmemobj.7")
	list(APPEND comps libpmemobj1 libpmemobj-dev)
endif()
if(TARGET rpmemd)
	install(TARGETS rpmemd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
		COMPONENT rpmemd)
	install(DIRECTORY ${docdir}/ DESTINATION ${CMAKE_INSTALL_MANDIR}
		OPTIONAL COMPONENT rpmemd FILES_MATCHING
		PATTERN "rpmemd.1" PATTERN "poolset.5")
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
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(v "(= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_LIBRPMEM1_PACKAGE_NAME librpmem1)
set(CPACK_DEBIAN_LIBRPMEM1_PACKAGE_DEPENDS "libfabric1 (>= 1.10), libc6")
set(CPACK_DEBIAN_LIBRPMEM-DEV_PACKAGE_NAME librpmem-dev)
set(CPACK_DEBIAN_LIBRPMEM-DEV_PACKAGE_DEPENDS "librpmem1 ${v}")
set(CPACK_DEBIAN_LIBPMEMOBJ1_PACKAGE_NAME libpmemobj1)
set(CPACK_DEBIAN_LIBPMEMOBJ1_PACKAGE_DEPENDS "libc6")
set(CPACK_DEBIAN_LIBPMEMOBJ-DEV_PACKAGE_NAME libpmemobj-dev)
set(CPACK_DEBIAN_LIBPMEMOBJ-DEV_PACKAGE_DEPENDS "libpmemobj1 ${v}")
set(CPACK_DEBIAN_RPMEMD_PACKAGE_NAME rpmemd)
set(CPACK_DEBIAN_RPMEMD_PACKAGE_DEPENDS "libfabric1 (>= 1.10), libc6")
include(CPack)
