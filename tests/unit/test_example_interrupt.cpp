// examples/common/interrupt: the first SIGINT sets the flag, the second exits with 130.
#include <gtest/gtest.h>

#include <csignal>

#include "examples/common/interrupt.h"
#include "tests/support/test_support.h"

namespace fftune::examples {
namespace {

TEST(ExampleInterrupt, FirstSignalOnlySetsTheFlag) {
  install_interrupt_handler();
  reset_interrupt();
  EXPECT_FALSE(interrupt_requested());
  std::raise(SIGINT);  // handled synchronously in this thread
  EXPECT_TRUE(interrupt_requested());
  reset_interrupt();
  EXPECT_FALSE(interrupt_requested());
  std::raise(SIGTERM);
  EXPECT_TRUE(interrupt_requested());
  reset_interrupt();
}

TEST(ExampleInterruptDeathTest, SecondSignalExitsAtOnce) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        install_interrupt_handler();
        reset_interrupt();
        std::raise(SIGINT);
        std::raise(SIGINT);
        std::exit(0);  // not reached
      },
      ::testing::ExitedWithCode(kInterruptedExitCode), "interrupted twice");
}

}  // namespace
}  // namespace fftune::examples
