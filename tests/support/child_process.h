// A program run in the background by an end-to-end test that signals it mid-run (kill -9,
// SIGTERM) or watches its files while it runs.
//
//   ChildProcess child(command);                     // /bin/sh -c "exec <command>"
//   ASSERT_TRUE(wait_until([&] { return started(); }, 120));
//   child.signal(SIGKILL);
//   const int status = child.wait();                 // as waitpid reports it
#pragma once

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <string>
#include <thread>

namespace fftune::testing {

class ChildProcess {
 public:
  // `command` runs through /bin/sh with exec, so that the signals reach the program itself.
  explicit ChildProcess(const std::string& command) {
    const std::string shell_command = "exec " + command;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl("/bin/sh", "sh", "-c", shell_command.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }

  bool started() const { return pid_ > 0; }
  // Whether it has not exited yet (reaps it when it has).
  bool running() {
    if (reaped_) return false;
    const pid_t r = ::waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) reaped_ = true;
    return r == 0;
  }
  void signal(int sig) { ::kill(pid_, sig); }
  // Waits for the exit; the status as waitpid reports it.
  int wait() {
    if (!reaped_) {
      while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
      }
      reaped_ = true;
    }
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
};

// Polls `condition` every millisecond until it holds (true) or `timeout_s` passes (false).
inline bool wait_until(const std::function<bool()>& condition, double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return condition();
}

}  // namespace fftune::testing
