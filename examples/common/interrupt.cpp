#include "examples/common/interrupt.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>

#include "core/error.h"

namespace fftune::examples {
namespace {

// Lock-free atomics are safe to touch from a signal handler.
std::atomic<int> g_signals{0};
static_assert(std::atomic<int>::is_always_lock_free);

void write_stderr(const char* message) {
  // write(2) is async-signal-safe; stdio is not. Nothing to do if it fails.
  const ssize_t ignored = ::write(STDERR_FILENO, message, std::strlen(message));
  (void)ignored;
}

extern "C" void on_interrupt(int) {
  if (g_signals.fetch_add(1) == 0) {
    write_stderr(
        "\ninterrupted: saving a checkpoint after this step (press Ctrl-C again to quit "
        "at once)\n");
  } else {
    write_stderr("\ninterrupted twice: quitting without a checkpoint\n");
    ::_exit(kInterruptedExitCode);
  }
}

}  // namespace

void install_interrupt_handler() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // a read() in a data loader carries on after the first signal
  FFTUNE_CHECK(
      sigaction(SIGINT, &action, nullptr) == 0 && sigaction(SIGTERM, &action, nullptr) == 0,
      "install_interrupt_handler: sigaction failed: ", std::strerror(errno));
}

bool interrupt_requested() {
  return g_signals.load() > 0;
}

void reset_interrupt() {
  g_signals.store(0);
}

}  // namespace fftune::examples
