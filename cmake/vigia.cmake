# vigia_test(NAME SOURCES src... LIBS lib... [LABELS label...])
# A GoogleTest binary registered with ctest under NAME. Tests run from the build dir with
# VIGIA_SOURCE_DIR set so they can find fixtures (nothing outside the repository: see
# tests/standalone_clone_test.sh).
function(vigia_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  # A test's files compile as one (unity) in every tree, Release too: GoogleTest's and the
  # product's headers are then compiled once per test, not once per file (a cold Release tree's
  # test compile: 814 s instead of 992 on 2026-12-07; most tests are one file). The product's
  # own libraries stay file by file in Release (the binary users run and make bench measures);
  # the sanitizer trees are unity builds throughout.
  set_target_properties(${name} PROPERTIES UNITY_BUILD ON)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # A warning meant for headers, which an included .cpp trips (see the top CMakeLists.txt).
    target_compile_options(${name} PRIVATE -Wno-subobject-linkage)
  endif()
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main Threads::Threads)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "VIGIA_SOURCE_DIR=${CMAKE_SOURCE_DIR};VIGIA_BINARY=${CMAKE_BINARY_DIR}/vigia"
    LABELS "${T_LABELS}")
  if(NOT "no_sanitizer" IN_LIST T_LABELS)
    set_property(GLOBAL APPEND PROPERTY VIGIA_SANITIZER_TEST_TARGETS ${name})
  endif()
endfunction()

# vigia_write_sanitizer_tests(): after every target, the `vigia_sanitizer_tests` target: what
# `ctest -LE no_sanitizer` runs (every vigia_test() not labelled no_sanitizer, and `vigia`, which
# the integration tests and rules_pack_check start; layering_test builds its own probes).
# make test-asan builds it and the fuzz targets instead of `all`: the no_sanitizer tests'
# binaries, the examples and the load tool never run in that tree (130 s of the ASan tree's
# 2,460 s of compile on 2026-12-06). Called once from the top-level CMakeLists.txt.
function(vigia_write_sanitizer_tests)
  get_property(targets GLOBAL PROPERTY VIGIA_SANITIZER_TEST_TARGETS)
  add_custom_target(vigia_sanitizer_tests)
  add_dependencies(vigia_sanitizer_tests vigia ${targets})
endfunction()

# The pinned uap-core rules and test corpus (third_party/uap-core/README.md).
set(VIGIA_UAP_CORE_DIR "${CMAKE_SOURCE_DIR}/third_party/uap-core")

# vigia_library(NAME DIR <folder under src/> [INTERFACE] [SOURCES src...] [HEADERS h...]
#               [DEPS lib...] [PRIVATE_DEPS lib...] [INTERNAL_DEPS lib...])
# A library of one folder of src/, with the include visibility of the layer map
# (docs/architecture.md): headers are included as "<folder>/<file>.h", and a target can include
# only the headers of its own folder and of the libraries it links PUBLIC (transitively).
#
# Each library gets an include root in the build tree holding one symlink to its folder
#   <build>/include/NAME/DIR -> src/DIR          (e.g. include/vigia_store/store -> src/store)
# which is the target's PUBLIC include directory; there is no global include path, so a
# wrong-way include such as "server/router.h" in a store file is "No such file or directory".
# DEPS are linked PUBLIC (their headers are part of this library's interface), PRIVATE_DEPS
# privately (third-party libraries used only in .cpp files).
#
# HEADERS narrows the public root to links to just those headers of the folder:
# - with INTERFACE, a header-only library that shares its folder with another library;
# - otherwise a facade: the library's own sources still see the whole folder, and so does
#   whoever links NAME_internal (an INTERFACE target made here, for the code that may see the
#   internals: the folder's tests, the layer that legitimately reads them). INTERNAL_DEPS are
#   facade libraries whose internals this one uses: linked privately here, and through
#   NAME_internal.
#
# <build>/include links into src/: remove a build tree as a whole (rm -rf build), never a
# path inside it with a trailing slash, which would follow the link into the sources.
function(vigia_library name)
  cmake_parse_arguments(L "INTERFACE" "DIR"
                        "SOURCES;HEADERS;DEPS;PRIVATE_DEPS;INTERNAL_DEPS" ${ARGN})
  if(NOT L_DIR)
    message(FATAL_ERROR "vigia_library(${name}): DIR <folder under src/> is required")
  endif()
  set(root "${CMAKE_BINARY_DIR}/include/${name}")
  _vigia_include_root("${root}" "${L_DIR}" "${L_HEADERS}")

  if(L_INTERFACE)
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE "${root}")
    target_link_libraries(${name} INTERFACE ${L_DEPS})
    return()
  endif()
  add_library(${name} ${L_SOURCES})
  target_include_directories(${name} PUBLIC "${root}")
  target_link_libraries(${name} PUBLIC ${L_DEPS} PRIVATE ${L_PRIVATE_DEPS})
  if(L_HEADERS)
    set(internal_root "${CMAKE_BINARY_DIR}/include/${name}_internal")
    _vigia_include_root("${internal_root}" "${L_DIR}" "")
    target_include_directories(${name} PRIVATE "${internal_root}")
    set(internal_deps "")
    foreach(dep IN LISTS L_INTERNAL_DEPS)
      list(APPEND internal_deps ${dep}_internal)
    endforeach()
    target_link_libraries(${name} PRIVATE ${internal_deps})
    add_library(${name}_internal INTERFACE)
    target_include_directories(${name}_internal INTERFACE "${internal_root}")
    target_link_libraries(${name}_internal INTERFACE ${name} ${internal_deps})
  endif()
endfunction()

# _vigia_include_root(ROOT DIR HEADERS): ROOT/DIR is a link to src/DIR, or (HEADERS not empty)
# a directory of links to those headers of src/DIR.
function(_vigia_include_root root dir headers)
  set(folder "${CMAKE_SOURCE_DIR}/src/${dir}")
  set(link "${root}/${dir}")
  get_filename_component(link_parent "${link}" DIRECTORY)
  file(MAKE_DIRECTORY "${link_parent}")
  if(headers)
    if(IS_SYMLINK "${link}")
      file(REMOVE "${link}")
    endif()
    file(MAKE_DIRECTORY "${link}")
    file(GLOB existing LIST_DIRECTORIES true RELATIVE "${link}" "${link}/*")
    foreach(e IN LISTS existing)
      if(NOT e IN_LIST headers)
        file(REMOVE "${link}/${e}")  # a header no longer in the list
      endif()
    endforeach()
    foreach(h IN LISTS headers)
      if(NOT EXISTS "${folder}/${h}")
        message(FATAL_ERROR "vigia_library: ${dir}/${h} does not exist")
      endif()
      file(CREATE_LINK "${folder}/${h}" "${link}/${h}" SYMBOLIC)
    endforeach()
  else()
    if(IS_DIRECTORY "${link}" AND NOT IS_SYMLINK "${link}")
      file(REMOVE_RECURSE "${link}")  # a HEADERS root before: a real dir of file links
    endif()
    file(CREATE_LINK "${folder}" "${link}" SYMBOLIC)
  endif()
endfunction()

# vigia_check_include_roots(): fails the configure step if any target (or directory) puts the
# whole src/ on an include path, which would reopen every layer to every target that links it
# and silently defeat the layering above. Called once, after every target is declared.
function(vigia_check_include_roots)
  get_filename_component(src_root "${CMAKE_SOURCE_DIR}/src" ABSOLUTE)
  set(dirs "${CMAKE_SOURCE_DIR}")
  set(offenders "")
  while(dirs)
    list(POP_FRONT dirs dir)
    get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
    list(APPEND dirs ${subdirs})
    get_property(dir_includes DIRECTORY "${dir}" PROPERTY INCLUDE_DIRECTORIES)
    get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
    foreach(t IN LISTS targets)
      foreach(prop INCLUDE_DIRECTORIES INTERFACE_INCLUDE_DIRECTORIES)
        get_target_property(v ${t} ${prop})
        if(v)
          foreach(entry IN LISTS v)
            string(REGEX REPLACE "^\\$<BUILD_INTERFACE:(.*)>$" "\\1" path "${entry}")
            if(IS_ABSOLUTE "${path}")
              get_filename_component(path "${path}" ABSOLUTE)
              if(path STREQUAL src_root)
                list(APPEND offenders "${t} (${prop})")
              endif()
            endif()
          endforeach()
        endif()
      endforeach()
    endforeach()
    foreach(entry IN LISTS dir_includes)
      get_filename_component(path "${entry}" ABSOLUTE BASE_DIR "${dir}")
      if(path STREQUAL src_root)
        list(APPEND offenders "include_directories() in ${dir}")
      endif()
    endforeach()
  endwhile()
  if(offenders)
    list(JOIN offenders ", " text)
    message(FATAL_ERROR "src/ is on an include path (${text}): declare libraries with "
                        "vigia_library() (cmake/vigia.cmake) so each sees only its own layer")
  endif()
endfunction()

# vigia_fuzz_target(NAME SOURCES src... LIBS lib... MAX_LEN bytes CORPUS dir)
# A libFuzzer target (only when VIGIA_FUZZ is on) and its row in <build>/fuzz_targets.tsv
# (binary, -max_len, seed corpus, name), the list scripts/run-fuzzers.sh runs: declaring a
# fuzz target here is all it takes for make test-fuzz to fuzz it.
function(vigia_fuzz_target name)
  if(NOT VIGIA_FUZZ)
    return()
  endif()
  cmake_parse_arguments(F "" "MAX_LEN;CORPUS" "SOURCES;LIBS" ${ARGN})
  if(NOT F_MAX_LEN OR NOT F_CORPUS OR NOT IS_DIRECTORY "${F_CORPUS}")
    message(FATAL_ERROR "vigia_fuzz_target(${name}): MAX_LEN and an existing CORPUS are required")
  endif()
  add_executable(${name} ${F_SOURCES})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${F_LIBS})
  get_filename_component(corpus "${F_CORPUS}" ABSOLUTE)
  set_property(GLOBAL APPEND PROPERTY VIGIA_FUZZ_ROWS
               "$<TARGET_FILE:${name}>\t${F_MAX_LEN}\t${corpus}\t${name}")
  set_property(GLOBAL APPEND PROPERTY VIGIA_FUZZ_TARGETS ${name})
endfunction()

# vigia_write_fuzz_targets(): after every target, writes fuzz_targets.tsv and the
# `vigia_fuzzers` target that builds them all. Called once from the top-level CMakeLists.txt.
function(vigia_write_fuzz_targets)
  if(NOT VIGIA_FUZZ)
    return()
  endif()
  get_property(rows GLOBAL PROPERTY VIGIA_FUZZ_ROWS)
  get_property(targets GLOBAL PROPERTY VIGIA_FUZZ_TARGETS)
  list(JOIN rows "\n" text)
  file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/fuzz_targets.tsv" CONTENT "${text}\n")
  add_custom_target(vigia_fuzzers DEPENDS ${targets})
endfunction()
