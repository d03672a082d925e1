#include "store/store_checkpoint.h"

#include <unistd.h>

#include <cerrno>
#include <vector>

#include "common/limits.h"

namespace vigia {

Status LinkOrCopyFile(Env* env, const std::string& from, const std::string& to) {
  if (env == Env::Default() && ::link(from.c_str(), to.c_str()) == 0) return Status::Ok();
  VIGIA_ASSIGN_OR_RETURN(uint64_t size, env->GetFileSize(from));
  return CopyFilePrefix(env, from, to, size);
}

Status CopyFilePrefix(Env* env, const std::string& from, const std::string& to, uint64_t bytes) {
  VIGIA_ASSIGN_OR_RETURN(auto in, env->NewRandomAccessFile(from));
  VIGIA_ASSIGN_OR_RETURN(auto out, env->NewWritableFile(to));
  std::vector<char> buf(limits::kCheckpointCopyBufferBytes);
  uint64_t off = 0;
  while (off < bytes) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), bytes - off));
    VIGIA_ASSIGN_OR_RETURN(size_t got, in->Read(off, want, buf.data()));
    if (got == 0) {
      return Status::Corruption(from + ": shorter than " + std::to_string(bytes) + " bytes");
    }
    VIGIA_RETURN_IF_ERROR(out->Append(std::string_view(buf.data(), got)));
    off += got;
  }
  VIGIA_RETURN_IF_ERROR(out->Sync());
  return out->Close();
}

}  // namespace vigia
