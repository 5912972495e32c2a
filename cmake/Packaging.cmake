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

# Debian package: `cpack -G DEB` in the build directory makes one package
# with the libraries, headers, rpmemd, pkg-config files and man pages.
set(CPACK_PACKAGE_NAME rpmem-ng)
set(CPACK_PACKAGE_VENDOR rpmem-ng)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "rpmem-ng maintainers <rpmem-ng@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
	"remote persistent memory (librpmem, rpmemd) and libpmemobj subset")
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL OFF)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libfabric1 (>= 1.10), libc6")
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
include(CPack)
