#include "store/data_dir_lock.h"

#include <unistd.h>

#include "store/format/file_names.h"

namespace vigia {
namespace {

Status InUse(const std::string& data_dir, const Status& locked) {
  // The holder wrote "<pid> <program>" (an older or foreign LOCK file may hold anything).
  const std::string& holder = locked.message();
  const size_t space = holder.find(' ');
  std::string who =
      holder.empty()
          ? "another process"
          : "pid " + holder.substr(0, space) +
                (space == std::string::npos ? "" : " (" + holder.substr(space + 1) + ")");
  return Status::Unavailable("data directory " + data_dir + " is in use by " + who +
                             ": stop it first (offline commands need the server stopped; a "
                             "running server has an HTTP API for the same work)");
}

}  // namespace

Result<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(Env* env, const std::string& data_dir,
                                                          std::string_view program) {
  VIGIA_RETURN_IF_ERROR(env->CreateDir(data_dir));
  const std::string contents = std::to_string(::getpid()) + " " + std::string(program) + "\n";
  auto lock = env->LockFile(file_names::LockFilePath(data_dir), contents);
  if (!lock.ok()) {
    if (lock.status().code() == StatusCode::kUnavailable) return InUse(data_dir, lock.status());
    return lock.status();
  }
  return std::unique_ptr<DataDirLock>(new DataDirLock(data_dir, std::move(*lock)));
}

}  // namespace vigia
