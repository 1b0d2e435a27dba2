# The layers: one static library each, named cacophony_<layer>, built from source/<folder>/*.cpp
# with its public headers in include/cacophony/<folder>/. A layer links only the layers below it
# and the libraries it uses itself; two checks keep it that way:
# - the ctest `layering` reads every #include of source/ and include/ and fails on one that
#   reaches a layer above, or a third-party library that another layer owns (cmake/check_layers.cmake);
# - cacophony_forbid() fails the configure step when a target's link closure holds a library it
#   must not (the runtime's tests are built without JACK, asio or libebur128).

set_property(GLOBAL PROPERTY CACOPHONY_LAYER_TABLE "")

# cacophony_layer(<layer> FOLDERS <folder>... [BELOW <layer>...] [OWNS <header prefix>...])
# BELOW names the layers it uses (linked PUBLIC); OWNS the third-party headers only it may include.
function(cacophony_layer layer)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "FOLDERS;BELOW;OWNS")
  set(sources "")
  foreach(folder IN LISTS arg_FOLDERS)
    file(GLOB found CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/source/${folder}/*.cpp)
    list(APPEND sources ${found})
  endforeach()
  add_library(cacophony_${layer} STATIC ${sources})
  target_include_directories(cacophony_${layer} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                                                      $<INSTALL_INTERFACE:include>)
  foreach(below IN LISTS arg_BELOW)
    target_link_libraries(cacophony_${layer} PUBLIC cacophony_${below})
  endforeach()
  # One row of the table that check_layers.cmake reads: layer|folders|layers below|owned headers.
  list(JOIN arg_FOLDERS "," folders)
  list(JOIN arg_BELOW "," below)
  list(JOIN arg_OWNS "," owns)
  set_property(GLOBAL APPEND PROPERTY CACOPHONY_LAYER_TABLE "${layer}|${folders}|${below}|${owns}")
endfunction()

# Writes the layer table for the `layering` test; call once every layer is declared.
function(cacophony_write_layer_table file)
  get_property(table GLOBAL PROPERTY CACOPHONY_LAYER_TABLE)
  list(JOIN table "\n" text)
  file(WRITE ${file} "${text}\n")
endfunction()

# The libraries `target` links, directly or through others.
function(cacophony_link_closure target out_var)
  set(seen "")
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue item)
    if(item IN_LIST seen OR NOT TARGET ${item})
      continue()
    endif()
    list(APPEND seen ${item})
    get_target_property(imported ${item} IMPORTED)
    get_target_property(type ${item} TYPE)
    set(links "")
    if(NOT imported AND NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(links ${item} LINK_LIBRARIES)
    endif()
    get_target_property(interface ${item} INTERFACE_LINK_LIBRARIES)
    foreach(next IN LISTS links interface)
      if(next AND NOT next MATCHES "NOTFOUND$")
        list(APPEND queue ${next})
      endif()
    endforeach()
  endwhile()
  set(${out_var} ${seen} PARENT_SCOPE)
endfunction()

# Fails the configure step when `target` links any of the targets named after it.
function(cacophony_forbid target)
  cacophony_link_closure(${target} closure)
  foreach(forbidden IN LISTS ARGN)
    if(forbidden IN_LIST closure)
      message(FATAL_ERROR "${target} must not link ${forbidden} (layers: see cmake/layers.cmake)")
    endif()
  endforeach()
endfunction()
