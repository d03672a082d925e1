// libFuzzer target: the two parsers of authentication input — the keys file
// (<data>/auth/api_keys.tsv, ParseKeysFile) and the Authorization header
// (KeyFromAuthorization and RequestAuthenticator over a real KeyStore with one key and a
// legacy key). Input: the keys file text, a 0x00 byte, then the header value. They must
// never crash or read out of bounds; a presented key is never accepted unless it is one of
// the two real keys, and an error message never contains the presented key.
#include <sodium.h>
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "auth/key_store.h"
#include "common/env.h"
#include "server/api_keys.h"
#include "server/auth_check.h"

namespace {

struct Fixture {
  std::unique_ptr<vigia::KeyStore> store;
  vigia::ApiKeys legacy;
  std::string stored_key;
};

// The key store's directory, removed when the fuzzer exits (libFuzzer ends with exit()).
char g_dir[] = "/tmp/vigia_auth_fuzz_XXXXXX";

Fixture* MakeFixture() {
  auto* f = new Fixture();
  char* dir = g_dir;
  if (::mkdtemp(dir) == nullptr) abort();
  std::atexit([] {
    std::error_code ec;
    std::filesystem::remove_all(g_dir, ec);
  });
  auto store = vigia::KeyStore::Open(vigia::Env::Default(), dir);
  if (!store.ok()) abort();
  f->store = std::move(*store);
  auto key = f->store->Create("acme", vigia::Role::kRead, 0, "fuzz");
  if (!key.ok()) abort();
  f->stored_key = key->key;
  auto legacy = vigia::ApiKeys::Load("legacy-fuzz-key-0123456789", "");
  if (!legacy.ok()) abort();
  f->legacy = std::move(*legacy);
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fx = MakeFixture();
  // Copy so that ASan sees reads past the end.
  std::string input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  std::string file = input.substr(0, split);
  std::string header = split == std::string::npos ? std::string() : input.substr(split + 1);

  auto records = vigia::ParseKeysFile(file);
  if (records.ok()) {
    for (const vigia::ApiKeyRecord& r : *records) {
      if (r.id.size() != 16 || r.hash_hex.size() != 64) abort();
      if ((r.role == vigia::Role::kAdmin) != r.tenant.empty()) abort();
    }
  }

  std::string presented = vigia::KeyFromAuthorization(header);
  // Basic/ApiKey decode base64: never longer than what was sent.
  if (presented.size() > header.size()) abort();
  vigia::RequestAuthenticator auth(&fx->legacy, fx->store.get());
  auto principal = auth.Authenticate(header);
  if (principal.ok()) {
    if (presented != fx->stored_key && presented != "legacy-fuzz-key-0123456789") abort();
  } else {
    // Every refusal is one of the fixed messages: nothing of the presented key is echoed.
    const std::string& m = principal.status().message();
    if (principal.status().code() != vigia::StatusCode::kUnauthenticated) abort();
    if (m != "invalid API key" && m != "API key revoked" && m != "API key expired" &&
        m.rfind("missing \"Authorization", 0) != 0 &&
        m.rfind("malformed Authorization header (expected", 0) != 0) {
      abort();
    }
  }
  return 0;
}
