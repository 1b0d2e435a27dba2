# `cmake --install`: the layers as a CMake package, so a program of one's own can
# find_package(cacophony) and link cacophony::cli (every command) or a layer (cacophony::lab,
# cacophony::runtime, ...); examples/my_metronome is one. Also the `cacophony` executable.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CACOPHONY_EXPORTED cacophony_runtime cacophony_bpm cacophony_lab cacophony_report
                       cacophony_rhythm cacophony_sound cacophony_link cacophony_remote
                       cacophony_practice cacophony_cli)
foreach(target IN LISTS CACOPHONY_EXPORTED)
  string(REPLACE "cacophony_" "" short ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${short})
endforeach()
install(TARGETS ${CACOPHONY_EXPORTED} EXPORT cacophony-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS cacophony RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/cacophony DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES app/cacophony_cli.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cacophony RENAME cli.h)

set(CACOPHONY_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cacophony)
install(EXPORT cacophony-targets NAMESPACE cacophony:: DESTINATION ${CACOPHONY_CMAKE_DIR})
configure_package_config_file(cmake/cacophonyConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cacophonyConfig.cmake
                              INSTALL_DESTINATION ${CACOPHONY_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cacophonyConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cacophonyConfig.cmake
              ${PROJECT_BINARY_DIR}/cacophonyConfigVersion.cmake
        DESTINATION ${CACOPHONY_CMAKE_DIR})
