// The CPU thread count used by every OpenMP region in fftune.
// Set it with FFTUNE_NUM_THREADS in the environment or fftune::set_num_threads().
#pragma once

namespace fftune {

int num_threads();
void set_num_threads(int n);

}  // namespace fftune
