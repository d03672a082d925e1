#!/bin/sh
# The repository stands alone: clones the committed HEAD into a directory with nothing beside
# it, configures it, builds the tests that read data files (the uap-core rules and corpus)
# and runs them there. A path to a directory beside the repository (a sibling checkout, a
# shared data folder) fails here, as it would for a new user. Also checks every build file,
# source and test for a path that climbs out of the repository root. Cheap with ccache: only
# those targets are built.
#
#   standalone_clone_test.sh <source dir> <scratch dir>
set -eu
src=$1
scratch=$2

# 1. No file of the project builds a path above the repository root: the root's variables
#    (CMake's CMAKE_SOURCE_DIR, the tests' VIGIA_SOURCE_DIR) followed by "/..".
if git -C "$src" grep -n -E '(CMAKE_SOURCE_DIR\}|VIGIA_SOURCE_DIR[^/"]*)/\.\.' -- \
     ':!tests/standalone_clone_test.sh' '*.txt' '*.cmake' '*.cpp' '*.h' '*.sh' '*.py' 'Makefile'; then
  echo "FAIL: the files above reach outside the repository" >&2
  exit 1
fi

# 2. A clone with nothing beside it builds and passes the data-reading tests.
rm -rf "$scratch"
mkdir -p "$scratch/only"
git clone --quiet --no-hardlinks "$src" "$scratch/only/vigia"
ls -A "$scratch/only" | grep -qvx vigia && { echo "FAIL: $scratch/only not empty" >&2; exit 1; }
cd "$scratch/only/vigia"
# The clone lies under $src with the same layout (src/, build/), so with paths relative to a
# common base ccache serves the objects the tree's own build made (the Makefile exports the
# same base for every build).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$src}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build ua_parser_test derived_fields_test bench_derived_columns_test >/dev/null
cd build
ctest --output-on-failure -R '^(ua_parser_test|derived_fields_test|bench_derived_columns_test)$'
cd /
rm -rf "$scratch"
