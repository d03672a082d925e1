# vigia_test(NAME SOURCES src... LIBS lib... [LABELS label...])
# A GoogleTest binary registered with ctest under NAME. Tests run from the build dir with
# VIGIA_SOURCE_DIR set so they can find fixtures (nothing outside the repository: see
# tests/standalone_clone_test.sh).
function(vigia_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main Threads::Threads)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "VIGIA_SOURCE_DIR=${CMAKE_SOURCE_DIR};VIGIA_BINARY=${CMAKE_BINARY_DIR}/vigia"
    LABELS "${T_LABELS}")
endfunction()

# The pinned uap-core rules and test corpus (third_party/uap-core/README.md).
set(VIGIA_UAP_CORE_DIR "${CMAKE_SOURCE_DIR}/third_party/uap-core")

# vigia_library(NAME DIR <folder under src/> [INTERFACE] [SOURCES src...] [HEADERS h...]
#               [DEPS lib...] [PRIVATE_DEPS lib...])
# A library of one folder of src/, with the include visibility of the layer map
# (docs/architecture.md): headers are included as "<folder>/<file>.h", and a target can include
# only the headers of its own folder and of the libraries it links PUBLIC (transitively).
#
# Each library gets a private include root holding one symlink to its folder
#   <build>/include/NAME/DIR -> src/DIR          (e.g. include/vigia_store/store -> src/store)
# or, with HEADERS, links to just those headers of the folder (a header-only interface that
# shares its folder with another library). The root is the target's PUBLIC (INTERFACE) include
# directory, and there is no global include path, so a wrong-way include such as
# "server/router.h" in a store file is "No such file or directory" at compile time.
# DEPS are linked PUBLIC (their headers are part of this library's interface), PRIVATE_DEPS
# privately (third-party libraries used only in .cpp files).
function(vigia_library name)
  cmake_parse_arguments(L "INTERFACE" "DIR" "SOURCES;HEADERS;DEPS;PRIVATE_DEPS" ${ARGN})
  if(NOT L_DIR)
    message(FATAL_ERROR "vigia_library(${name}): DIR <folder under src/> is required")
  endif()
  set(folder "${CMAKE_SOURCE_DIR}/src/${L_DIR}")
  set(root "${CMAKE_BINARY_DIR}/include/${name}")
  set(link "${root}/${L_DIR}")
  get_filename_component(link_parent "${link}" DIRECTORY)
  file(MAKE_DIRECTORY "${link_parent}")
  if(L_HEADERS)
    if(IS_SYMLINK "${link}")
      file(REMOVE "${link}")
    endif()
    file(MAKE_DIRECTORY "${link}")
    foreach(h IN LISTS L_HEADERS)
      file(CREATE_LINK "${folder}/${h}" "${link}/${h}" SYMBOLIC)
    endforeach()
  else()
    if(IS_DIRECTORY "${link}" AND NOT IS_SYMLINK "${link}")
      file(REMOVE_RECURSE "${link}")  # a HEADERS root before: a real dir of file links
    endif()
    file(CREATE_LINK "${folder}" "${link}" SYMBOLIC)
  endif()

  if(L_INTERFACE)
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE "${root}")
    target_link_libraries(${name} INTERFACE ${L_DEPS})
  else()
    add_library(${name} ${L_SOURCES})
    target_include_directories(${name} PUBLIC "${root}")
    target_link_libraries(${name} PUBLIC ${L_DEPS} PRIVATE ${L_PRIVATE_DEPS})
  endif()
endfunction()
