# `cmake --install`, in two components, which `make package` turns into two Debian packages
# (cmake/package.cmake):
# - cli: the `cacophony` executable, its manual page, its bash and zsh completions, the README and
#   the licence;
# - dev: the layers as a CMake package, so a program of one's own can find_package(cacophony) and
#   link cacophony::cli (every command) or a layer (cacophony::lab, cacophony::runtime, ...);
#   examples/my_metronome is one.
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
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(DIRECTORY include/cacophony DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(FILES app/cacophony_cli.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cacophony RENAME cli.h
        COMPONENT dev)

set(CACOPHONY_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cacophony)
install(EXPORT cacophony-targets NAMESPACE cacophony:: DESTINATION ${CACOPHONY_CMAKE_DIR}
        COMPONENT dev)
configure_package_config_file(cmake/cacophonyConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cacophonyConfig.cmake
                              INSTALL_DESTINATION ${CACOPHONY_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cacophonyConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cacophonyConfig.cmake
              ${PROJECT_BINARY_DIR}/cacophonyConfigVersion.cmake
        DESTINATION ${CACOPHONY_CMAKE_DIR} COMPONENT dev)

# What the executable generates from its own definitions (app/commands/manual.cpp, app/commands/completion.cpp),
# made by running it once it is built: the manual page (compressed as Debian wants it, with no
# timestamp) and the two completion scripts.
set(CACOPHONY_DOCS ${PROJECT_BINARY_DIR}/generated/docs)
add_custom_command(
  OUTPUT ${CACOPHONY_DOCS}/cacophony.1.gz ${CACOPHONY_DOCS}/cacophony ${CACOPHONY_DOCS}/_cacophony
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CACOPHONY_DOCS}
  COMMAND sh -c "set -e; \"$0\" manual | gzip -9n > \"$1\"/cacophony.1.gz; \
\"$0\" completion bash > \"$1\"/cacophony; \"$0\" completion zsh > \"$1\"/_cacophony"
          $<TARGET_FILE:cacophony> ${CACOPHONY_DOCS}
  DEPENDS cacophony
  COMMENT "Generating the manual page and the shell completions"
  VERBATIM)
add_custom_target(cacophony_docs ALL DEPENDS ${CACOPHONY_DOCS}/cacophony.1.gz)

install(TARGETS cacophony RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
install(FILES ${CACOPHONY_DOCS}/cacophony.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        COMPONENT cli)
install(FILES ${CACOPHONY_DOCS}/cacophony
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions COMPONENT cli)
install(FILES ${CACOPHONY_DOCS}/_cacophony DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions
        COMPONENT cli)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT cli)
