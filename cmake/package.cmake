# `make package`: two Debian packages from the install components (cmake/install.cmake), with
# CPack's DEB generator:
# - cacophony: the executable, its manual page and completions, the README; its Depends come from
#   the shared libraries it links, through dpkg-shlibdeps, not from a list kept by hand;
# - cacophony-dev: the static libraries, headers and CMake package; its Depends are the -dev
#   packages that cacophonyConfig.cmake finds again (find_dependency), so that list lives there
#   and here.
# The version is project()'s. Each package carries the copyright file Debian asks for (made from
# LICENSE) and a one-entry changelog for this version.
set(CACOPHONY_MAINTAINER "cacophony developers <cacophony@users.noreply.github.com>")
set(CACOPHONY_DEBIAN ${PROJECT_BINARY_DIR}/generated/debian)

file(READ ${PROJECT_SOURCE_DIR}/LICENSE licence)
string(STRIP "${licence}" licence)
string(REGEX REPLACE "\n\n" "\n.\n" licence "${licence}")
string(REPLACE "\n" "\n " licence "${licence}")
file(WRITE ${CACOPHONY_DEBIAN}/copyright.tmp
     "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
     "Upstream-Name: cacophony\n\n"
     "Files: *\nCopyright: 2026 the cacophony developers\nLicense: Expat\n ${licence}\n")
file(COPY_FILE ${CACOPHONY_DEBIAN}/copyright.tmp ${CACOPHONY_DEBIAN}/copyright ONLY_IF_DIFFERENT)

string(TIMESTAMP today "%a, %d %b %Y 00:00:00 +0000" UTC)
file(WRITE ${CACOPHONY_DEBIAN}/changelog.tmp
     "cacophony (${PROJECT_VERSION}) unstable; urgency=medium\n\n"
     "  * Release ${PROJECT_VERSION}.\n\n -- ${CACOPHONY_MAINTAINER}  ${today}\n")
file(COPY_FILE ${CACOPHONY_DEBIAN}/changelog.tmp ${CACOPHONY_DEBIAN}/changelog ONLY_IF_DIFFERENT)
add_custom_command(
  OUTPUT ${CACOPHONY_DEBIAN}/changelog.gz
  COMMAND sh -c "gzip -9n < \"$0\" > \"$0.gz\"" ${CACOPHONY_DEBIAN}/changelog
  DEPENDS ${CACOPHONY_DEBIAN}/changelog
  VERBATIM)
add_custom_target(cacophony_changelog ALL DEPENDS ${CACOPHONY_DEBIAN}/changelog.gz)
foreach(pair cli:cacophony dev:cacophony-dev)
  string(REPLACE ":" ";" pair ${pair})
  list(GET pair 0 component)
  list(GET pair 1 package)
  install(FILES ${CACOPHONY_DEBIAN}/copyright ${CACOPHONY_DEBIAN}/changelog.gz
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${package} COMPONENT ${component})
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cacophony)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${CACOPHONY_MAINTAINER})
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/package)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL cli dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

set(CPACK_DEBIAN_CLI_PACKAGE_NAME cacophony)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION sound)
set(CPACK_DEBIAN_CLI_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_CLI_PACKAGE_RECOMMENDS "jackd2 | pipewire-jack")
set(CPACK_COMPONENT_CLI_DESCRIPTION
    "metronome that never drifts, and a concurrency lab
A click for musicians: bars, meters, accents, subdivisions, ramps and klick's
tempo maps, played through JACK (or PipeWire's JACK layer) with keys, tap
tempo, OSC and Ableton Link, rendered to a file frame-exactly, and a practice
mode that measures the player's timing.
.
A lab for learners of concurrency: one metronome built fourteen ways after
the blog series Metronome's Cacophony (S. Walak, 2018), each run in real or
simulated time and explored under many schedules, with a report page of what
each did to tempo, beat order, lost beats and stale volume.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME cacophony-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libboost-context-dev, libcli11-dev, nlohmann-json3-dev, libfmt-dev, libsndfile1-dev, \
libebur128-dev, libsamplerate0-dev, liblo-dev, libjack-jackd2-dev | libjack-dev, \
pkg-config, cmake")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "cacophony's layers as a C++ library, to write metronomes of one's own
The runtime, the lab, the rhythm model, sound, Link, OSC, practice and the
command line of cacophony as static libraries and headers, with a CMake
package: find_package(cacophony), then link cacophony::cli to give a program
of one's own every cacophony command, and register scenarios of its own.")
include(CPack)
