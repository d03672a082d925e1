# vigia_test(NAME SOURCES src... LIBS lib... [LABELS label...])
# A GoogleTest binary registered with ctest under NAME. Tests run from the build dir with
# VIGIA_SOURCE_DIR and VIGIA_SHARED_DIR set so they can find fixtures and ../shared/data.
function(vigia_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main Threads::Threads)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "VIGIA_SOURCE_DIR=${CMAKE_SOURCE_DIR};VIGIA_SHARED_DIR=${CMAKE_SOURCE_DIR}/../shared;VIGIA_BINARY=${CMAKE_BINARY_DIR}/vigia"
    LABELS "${T_LABELS}")
endfunction()
