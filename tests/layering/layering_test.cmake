# layering_test: proves that the layer map of docs/architecture.md is enforced by the build.
# Run by ctest as `cmake -DBUILD_DIR=... -DPROBES=... -P layering_test.cmake`.
#
# PROBES is a list of "<target>|<expect>|<header>": <target> is an object library (built only
# here, EXCLUDE_FROM_ALL) whose one source includes <header> with the include path of the
# library it stands for. expect=fail: the header belongs to a layer that library must not
# see, so the compile must fail with the compiler's "file not found" for that very header (any
# other failure does not count). expect=ok: a permitted include, which must compile (so a
# broken probe setup cannot pass for a wrong-way include that fails).
set(failures 0)
foreach(probe IN LISTS PROBES)
  string(REPLACE "|" ";" fields "${probe}")
  list(GET fields 0 target)
  list(GET fields 1 expect)
  list(GET fields 2 header)
  execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --target "${target}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(REGEX MATCH "${header}[:'] *(No such file or directory|file not found)" not_found "${out}")
  if(expect STREQUAL "fail" AND NOT rc EQUAL 0 AND not_found)
    message(STATUS "ok: ${target}: \"${header}\" is not visible")
  elseif(expect STREQUAL "ok" AND rc EQUAL 0)
    message(STATUS "ok: ${target}: \"${header}\" compiles")
  else()
    message(STATUS "FAILED: ${target}: expected ${expect} for \"${header}\" (exit ${rc}):\n${out}")
    math(EXPR failures "${failures} + 1")
  endif()
endforeach()
if(failures GREATER 0)
  message(FATAL_ERROR "${failures} layering probe(s) failed")
endif()
