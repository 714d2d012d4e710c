// The deterministic-algorithms switch, PyTorch's torch.use_deterministic_algorithms: when on,
// every op picks an algorithm whose result repeats bit for bit from run to run on the same
// device — on CUDA no float atomics (e.g. a sorted, segmented embedding backward instead of
// atomicAdd) and fixed cuDNN algorithms. Off by default: speed wins. The CPU backend is
// deterministic either way. Set it with set_deterministic_algorithms() or
// FFTUNE_DETERMINISTIC=1 in the environment.
#pragma once

namespace fftune {

bool deterministic_algorithms();
void set_deterministic_algorithms(bool on);

}  // namespace fftune
