#include "backup/backup_target.h"

#include "backup/directory_target.h"

namespace vigia {

Status BackupTarget::WriteObject(const std::string& name, std::string_view data) {
  VIGIA_ASSIGN_OR_RETURN(auto w, Create(name));
  VIGIA_RETURN_IF_ERROR(w->Append(data));
  return w->Commit();
}

Result<std::string> BackupTarget::ReadObject(const std::string& name) {
  VIGIA_ASSIGN_OR_RETURN(auto r, Open(name));
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    VIGIA_ASSIGN_OR_RETURN(size_t n, r->Read(buf, sizeof buf));
    if (n == 0) return out;
    out.append(buf, n);
  }
}

Result<std::unique_ptr<BackupTarget>> OpenBackupTarget(const std::string& spec) {
  std::string path = spec;
  if (path.starts_with("file://")) {
    path = path.substr(7);
  } else if (path.find("://") != std::string::npos) {
    return Status::InvalidArgument("backup target " + spec +
                                   ": only directories (a path or file:///path) are supported");
  }
  if (path.empty()) return Status::InvalidArgument("backup target: empty path");
  VIGIA_ASSIGN_OR_RETURN(auto t, DirectoryTarget::Open(Env::Default(), path));
  return std::unique_ptr<BackupTarget>(std::move(t));
}

}  // namespace vigia
