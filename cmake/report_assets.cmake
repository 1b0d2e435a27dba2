# The report page's browser assets, embedded into cacophony_report at build time so that the
# executable writes a self-contained page from anywhere. vis-timeline is pinned by
# package.json/package-lock.json and installed by `npm ci` (scripts/setup).
set(CACOPHONY_TIMELINE_JS
    ${PROJECT_SOURCE_DIR}/node_modules/vis-timeline/standalone/umd/vis-timeline-graph2d.min.js)
set(CACOPHONY_TIMELINE_CSS
    ${PROJECT_SOURCE_DIR}/node_modules/vis-timeline/styles/vis-timeline-graph2d.min.css)
set(CACOPHONY_ASSETS_CPP ${PROJECT_BINARY_DIR}/generated/report_assets.cpp)
set(CACOPHONY_ASSET_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/embed_assets.cmake
                            ${PROJECT_SOURCE_DIR}/package-lock.json)
foreach(asset ${CACOPHONY_TIMELINE_JS} ${CACOPHONY_TIMELINE_CSS})
  if(EXISTS ${asset})
    list(APPEND CACOPHONY_ASSET_DEPENDS ${asset})
  else()
    message(WARNING "${asset} is missing: run scripts/setup (npm ci); the report page will have no charts")
  endif()
endforeach()
add_custom_command(
  OUTPUT ${CACOPHONY_ASSETS_CPP}
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${CACOPHONY_ASSETS_CPP} -DJS=${CACOPHONY_TIMELINE_JS}
          -DCSS=${CACOPHONY_TIMELINE_CSS} -P ${PROJECT_SOURCE_DIR}/cmake/embed_assets.cmake
  DEPENDS ${CACOPHONY_ASSET_DEPENDS}
  COMMENT "Embedding the report page's chart library"
  VERBATIM)
target_sources(cacophony_report PRIVATE ${CACOPHONY_ASSETS_CPP})
target_include_directories(cacophony_report PRIVATE ${PROJECT_SOURCE_DIR}/source/report)
