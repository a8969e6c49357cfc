// Shared GoogleTest main for lowp's tests.
//
// A skipped test must never look like a pass: every skip is repeated in a
// banner at the end, and a binary whose tests were all skipped exits with 77,
// which ctest reports as "Skipped" (SKIP_RETURN_CODE).
#include <cstdio>

#include <gtest/gtest.h>

namespace {
class SkipBanner : public testing::EmptyTestEventListener {
 public:
  void OnTestPartResult(const testing::TestPartResult& r) override {
    if (r.skipped()) {
      std::fprintf(stderr, "\n*** SKIPPED: %s\n", r.message());
    }
  }
};
}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  testing::UnitTest::GetInstance()->listeners().Append(new SkipBanner);
  const int rc = RUN_ALL_TESTS();
  const auto* ut = testing::UnitTest::GetInstance();
  const int skipped = ut->skipped_test_count();
  const int ran = ut->test_to_run_count();
  if (skipped > 0) {
    std::fprintf(stderr, "\n**************** %d of %d tests SKIPPED (see reasons above) ****************\n",
                 skipped, ran);
  }
  if (rc == 0 && ran > 0 && skipped == ran) return 77;
  return rc;
}
