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
