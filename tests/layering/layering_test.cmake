# layering_test: proves that the layer map of docs/architecture.md is enforced by the build.
# Run by ctest as `cmake -DBUILD_DIR=... -DGENERATOR=... -DPROBES=... -P layering_test.cmake`.
#
# PROBES is a list of "<target>|<expect>|<header>": <target> is an object library (built only
# here, EXCLUDE_FROM_ALL) whose one source includes <header> with the include path of the
# library it stands for. expect=fail: the header belongs to a layer that library must not
# see, so the compile must fail with the compiler's "file not found" for that very header (any
# other failure does not count). expect=ok: a permitted include, which must compile (so a
# broken probe setup cannot pass for a wrong-way include that fails).
#
# With Ninja (make test's generator) all probes build in one run, in parallel, -k 0 (each is
# tried whatever the others do): one build per probe took 25 s in Release and 41 s under ASan
# on one core, the test being RUN_SERIAL. A probe's result is then its own part of Ninja's
# output: the block from its "FAILED: <its object>" line to the next status line. The "ok"
# probes are built once more by themselves: that build must succeed (a probe Ninja never
# tried cannot pass for one that compiled).
cmake_minimum_required(VERSION 3.25)  # script mode: the policies of the project (while(TRUE))

set(targets "")
set(ok_targets "")
foreach(probe IN LISTS PROBES)
  string(REPLACE "|" ";" fields "${probe}")
  list(GET fields 0 target)
  list(GET fields 1 expect)
  list(APPEND targets "${target}")
  if(expect STREQUAL "ok")
    list(APPEND ok_targets "${target}")
  endif()
endforeach()
if(NOT GENERATOR MATCHES "^Ninja")
  # Other generators: one build per probe, its whole output as its block when it fails.
  foreach(target IN LISTS targets)
    execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --target "${target}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE one ERROR_VARIABLE one)
    if(NOT rc EQUAL 0)
      set("failed_${target}" "exit ${rc}:\n${one}")
    endif()
  endforeach()
  set(out "")
  set(build_rc "(one build per probe)")
else()
  execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --target ${targets} -- -k 0
                  RESULT_VARIABLE build_rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
endif()

# Ninja's FAILED blocks, by probe: failed_<target> holds the block of that probe's object.
set(rest "${out}")
while(TRUE)
  string(FIND "${rest}" "FAILED: " at)
  if(at EQUAL -1)
    break()
  endif()
  math(EXPR at "${at} + 8")
  string(SUBSTRING "${rest}" ${at} -1 rest)
  # The block ends at the next status line ("[12/70] Building ..."), FAILED line or
  # "ninja: build stopped".
  string(REGEX MATCH "\n(\\[[0-9]+/[0-9]+\\] |FAILED: |ninja: )" next "${rest}")
  if(next)
    string(FIND "${rest}" "${next}" end)
    string(SUBSTRING "${rest}" 0 ${end} block)
  else()
    set(block "${rest}")
  endif()
  string(REGEX MATCH "^[^\n]*" outputs "${block}")
  foreach(target IN LISTS targets)
    if(outputs MATCHES "/${target}\\.dir/")
      set("failed_${target}" "${block}")
    endif()
  endforeach()
endwhile()

set(ok_rc 0)
if(ok_targets)
  execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --target ${ok_targets}
                  RESULT_VARIABLE ok_rc OUTPUT_VARIABLE ok_out ERROR_VARIABLE ok_out)
endif()

set(failures 0)
foreach(probe IN LISTS PROBES)
  string(REPLACE "|" ";" fields "${probe}")
  list(GET fields 0 target)
  list(GET fields 1 expect)
  list(GET fields 2 header)
  if(DEFINED "failed_${target}")
    set(failed TRUE)
    set(block "${failed_${target}}")
  else()
    set(failed FALSE)
    set(block "(no FAILED block for ${target} in the build's output, exit ${build_rc})")
  endif()
  string(REGEX MATCH "${header}[:'] *(No such file or directory|file not found)" not_found "${block}")
  if(expect STREQUAL "fail" AND failed AND not_found)
    message(STATUS "ok: ${target}: \"${header}\" is not visible")
  elseif(expect STREQUAL "ok" AND NOT failed AND ok_rc EQUAL 0)
    message(STATUS "ok: ${target}: \"${header}\" compiles")
  else()
    if(expect STREQUAL "ok" AND NOT ok_rc EQUAL 0)
      string(APPEND block "\nthe ok probes' own build (exit ${ok_rc}):\n${ok_out}")
    endif()
    message(STATUS "FAILED: ${target}: expected ${expect} for \"${header}\":\n${block}")
    math(EXPR failures "${failures} + 1")
  endif()
endforeach()
if(failures GREATER 0)
  message(FATAL_ERROR "${failures} layering probe(s) failed")
endif()
