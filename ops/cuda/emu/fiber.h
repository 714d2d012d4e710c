// Fibers: the execution contexts the emulator runs CUDA threads on (DESIGN.md §5.3).
//
// A fiber is a stack plus a saved stack pointer. Switching is a hand-written x86-64 routine
// (fiber.cpp) that saves the callee-saved registers and the SSE/x87 control words on the
// current stack, stores the stack pointer, loads the other fiber's and restores its registers:
// about 20 instructions and no system call, ~10x cheaper than ucontext (which saves the signal
// mask with a syscall on every switch). Everything the SysV ABI lets a callee clobber is, by
// definition, already saved by the C++ code that called the switch.
#pragma once

#include <cstddef>

namespace fftune::emu {

struct Fiber {
  void* sp = nullptr;  // the saved stack pointer while the fiber is not running
};

// Makes `fiber` start by calling entry(arg) on the stack [stack, stack + size) at the first
// switch into it. `entry` must never return: it ends by switching away for good.
void fiber_prepare(Fiber& fiber, void* stack, size_t size, void (*entry)(void*), void* arg);

// Saves the running context into `from` and resumes `to`. Returns when something switches back.
void fiber_switch(Fiber& from, const Fiber& to);

}  // namespace fftune::emu
