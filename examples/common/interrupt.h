// Ctrl-C during training. The first SIGINT (or SIGTERM) only sets a flag: the training loop
// polls interrupt_requested() between optimizer steps, saves a checkpoint and exits cleanly
// (`--resume` continues from there). A second signal exits at once with status 130, for when
// the clean exit takes too long.
//
//   install_interrupt_handler();
//   for (...) {
//     train_step();
//     if (interrupt_requested()) { save_checkpoint(...); return 130; }
//   }
#pragma once

namespace fftune::examples {

// Installs the handler for SIGINT and SIGTERM (again on each call; harmless).
void install_interrupt_handler();
// Whether a first signal has arrived since the handler was installed (or reset).
bool interrupt_requested();
// Forgets a pending request (tests; a program that wants to carry on).
void reset_interrupt();
// The exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
constexpr int kInterruptedExitCode = 130;

}  // namespace fftune::examples
