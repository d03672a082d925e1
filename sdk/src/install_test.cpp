// Proves the SDK is installable alone: installs the vigia_sdk component of this build into a
// temp prefix, builds examples/consumer against it with find_package(vigia) and again with
// plain g++ and pkg-config, runs both and checks their output.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "test_util.h"

namespace {

using vigia::sdk::testing::contains;

int sh(const std::string& cmd) {
  int rc = std::system((cmd + " > /tmp/vigia-install-test.log 2>&1").c_str());
  if (rc != 0) std::system("tail -30 /tmp/vigia-install-test.log");
  return rc;
}

std::string slurp(const std::string& path) {
  std::string all;
  for (const auto& l : vigia::sdk::testing::read_lines(path)) all += l + "\n";
  return all;
}

TEST(Install, FindPackageAndPkgConfigConsumers) {
  std::string tmp = vigia::sdk::testing::make_temp_dir();
  std::string prefix = tmp + "/prefix";
  ASSERT_EQ(sh(std::string(VIGIA_CMAKE) + " --install " + VIGIA_BUILD_DIR +
               " --component vigia_sdk --prefix " + prefix),
            0);
  // find_package(vigia)
  ASSERT_EQ(sh(std::string(VIGIA_CMAKE) + " -S " + VIGIA_SRC_DIR + "/examples/consumer -B " + tmp +
               "/b -DCMAKE_PREFIX_PATH=" + prefix + " -DCMAKE_BUILD_TYPE=Release"),
            0);
  ASSERT_EQ(sh(std::string(VIGIA_CMAKE) + " --build " + tmp + "/b"), 0);
  ASSERT_EQ(sh(tmp + "/b/consumer " + tmp + "/out1.ndjson"), 0);
  std::string out = slurp(tmp + "/out1.ndjson");
  EXPECT_TRUE(contains(out, "\"msg\":\"hello from consumer\"")) << out;
  EXPECT_TRUE(contains(out, "\"kind\":\"audit\"")) << out;
  // pkg-config vigia
  ASSERT_EQ(sh("PKG_CONFIG_PATH=" + prefix + "/lib/pkgconfig g++ -O1 " + VIGIA_SRC_DIR +
               "/examples/consumer/main.cpp -o " + tmp + "/consumer2 $(PKG_CONFIG_PATH=" + prefix +
               "/lib/pkgconfig pkg-config --cflags --libs vigia)"),
            0);
  ASSERT_EQ(sh(tmp + "/consumer2 " + tmp + "/out2.ndjson"), 0);
  EXPECT_TRUE(contains(slurp(tmp + "/out2.ndjson"), "\"msg\":\"hello from consumer\""));
  std::system(("rm -rf " + tmp).c_str());
}

}  // namespace
