# The report pages' files, embedded into cacophony_report at build time so that the executable
# writes a self-contained page from anywhere: the lab's page and a practice take's page, each
# with its own template, style and script (source/report/page/), and the lab's chart library
# vis-timeline, pinned by package.json and package-lock.json and installed by `npm ci`
# (scripts/setup).
set(CACOPHONY_PAGE_DIR ${PROJECT_SOURCE_DIR}/source/report/page)
set(CACOPHONY_TIMELINE ${PROJECT_SOURCE_DIR}/node_modules/vis-timeline)
set(CACOPHONY_ASSETS
    page_html=${CACOPHONY_PAGE_DIR}/page.html
    chart_html=${CACOPHONY_PAGE_DIR}/chart.html
    explore_html=${CACOPHONY_PAGE_DIR}/explore.html
    explored_html=${CACOPHONY_PAGE_DIR}/explored.html
    page_css=${CACOPHONY_PAGE_DIR}/page.css
    page_js=${CACOPHONY_PAGE_DIR}/page.js
    practice_html=${CACOPHONY_PAGE_DIR}/practice.html
    practice_css=${CACOPHONY_PAGE_DIR}/practice.css
    practice_js=${CACOPHONY_PAGE_DIR}/practice.js
    timeline_js=${CACOPHONY_TIMELINE}/standalone/umd/vis-timeline-graph2d.min.js
    timeline_css=${CACOPHONY_TIMELINE}/styles/vis-timeline-graph2d.min.css)
set(CACOPHONY_ASSETS_CPP ${PROJECT_BINARY_DIR}/generated/report_assets.cpp)
set(CACOPHONY_ASSET_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/embed_assets.cmake
                            ${PROJECT_SOURCE_DIR}/package-lock.json)
foreach(asset IN LISTS CACOPHONY_ASSETS)
  string(REGEX REPLACE "^[a-z_]+=" "" file ${asset})
  if(EXISTS ${file})
    list(APPEND CACOPHONY_ASSET_DEPENDS ${file})
  else()
    message(WARNING "${file} is missing: run scripts/setup (npm ci); the report page will have no charts")
  endif()
endforeach()
add_custom_command(
  OUTPUT ${CACOPHONY_ASSETS_CPP}
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${CACOPHONY_ASSETS_CPP} "-DASSETS=${CACOPHONY_ASSETS}"
          -P ${PROJECT_SOURCE_DIR}/cmake/embed_assets.cmake
  DEPENDS ${CACOPHONY_ASSET_DEPENDS}
  COMMENT "Embedding the report page's files"
  VERBATIM)
target_sources(cacophony_report PRIVATE ${CACOPHONY_ASSETS_CPP})
target_include_directories(cacophony_report PRIVATE ${PROJECT_SOURCE_DIR}/source/report)

# The built-in scenarios' source files, embedded so that a page shows each chart's code wherever
# it is opened (scenario_sources.h).
file(GLOB CACOPHONY_SCENARIO_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/source/scenario/*.cpp)
list(FILTER CACOPHONY_SCENARIO_FILES EXCLUDE REGEX "/catalog\\.cpp$")
set(CACOPHONY_SCENARIO_SOURCES "")
foreach(file IN LISTS CACOPHONY_SCENARIO_FILES)
  get_filename_component(name ${file} NAME_WE)
  list(APPEND CACOPHONY_SCENARIO_SOURCES ${name}=${file})
endforeach()
set(CACOPHONY_SCENARIO_SOURCES_CPP ${PROJECT_BINARY_DIR}/generated/scenario_sources.cpp)
add_custom_command(
  OUTPUT ${CACOPHONY_SCENARIO_SOURCES_CPP}
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${CACOPHONY_SCENARIO_SOURCES_CPP}
          "-DASSETS=${CACOPHONY_SCENARIO_SOURCES}" -DNAMESPACE=cacophony::scenario_sources
          -DHEADER=scenario_sources.h -DLOOKUP=source_of
          -P ${PROJECT_SOURCE_DIR}/cmake/embed_assets.cmake
  DEPENDS ${PROJECT_SOURCE_DIR}/cmake/embed_assets.cmake ${CACOPHONY_SCENARIO_FILES}
  COMMENT "Embedding the scenarios' source files"
  VERBATIM)
target_sources(cacophony_report PRIVATE ${CACOPHONY_SCENARIO_SOURCES_CPP})
