// BuildInfo: what build is running — the project version, the git commit it was built from
// ("<12 hex>", "-dirty" when the tree had uncommitted changes, "unknown" outside git) and the
// CMake build type. The definition is generated at every build (cmake/build_info.cmake into
// the build tree), so only that one file recompiles when the commit changes.
//
// Thread-safety: immutable; thread-safe.
#pragma once

namespace vigia {

struct BuildInfoData {
  const char* version;
  const char* commit;
  const char* build_type;
};

const BuildInfoData& BuildInfo();

}  // namespace vigia
