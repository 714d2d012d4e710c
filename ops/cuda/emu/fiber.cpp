#include "ops/cuda/emu/fiber.h"

#include <cstdint>

#if !defined(__x86_64__)
#error "ops/cuda/emu: the fiber context switch is written for x86-64 (SysV ABI) only"
#endif

// fftune_emu_switch(void** save_sp /* rdi */, void* load_sp /* rsi */)
//   Pushes the callee-saved registers (rbp, rbx, r12-r15) and the MXCSR / x87 control words
//   onto the current stack, stores rsp into *save_sp, switches rsp to load_sp, restores the
//   same set from there and returns into whatever the other stack was doing.
// fftune_emu_fiber_start
//   The first "return address" of a prepared fiber: calls r13(r12), i.e. entry(arg), with the
//   stack 16-byte aligned as the ABI requires at a call. entry never returns (ud2 otherwise).
asm(R"(
  .text
  .globl fftune_emu_switch
  .hidden fftune_emu_switch
  .type fftune_emu_switch, @function
fftune_emu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size fftune_emu_switch, .-fftune_emu_switch

  .globl fftune_emu_fiber_start
  .hidden fftune_emu_fiber_start
  .type fftune_emu_fiber_start, @function
fftune_emu_fiber_start:
  movq %r12, %rdi
  callq *%r13
  ud2
  .size fftune_emu_fiber_start, .-fftune_emu_fiber_start
)");

extern "C" void fftune_emu_switch(void** save_sp, void* load_sp);
extern "C" void fftune_emu_fiber_start();

namespace fftune::emu {

void fiber_prepare(Fiber& fiber, void* stack, size_t size, void (*entry)(void*), void* arg) {
  // The frame fftune_emu_switch pops, lowest address first: control words, r15, r14, r13,
  // r12, rbx, rbp, return address. `top` is where rsp lands after the final `ret`: 16-aligned.
  auto top = (reinterpret_cast<uintptr_t>(stack) + size - 16) & ~uintptr_t{15};
  auto* frame = reinterpret_cast<uint64_t*>(top) - 8;
  frame[0] = 0x1F80ull | (0x037Full << 32);      // MXCSR default | x87 control word default
  frame[1] = 0;                                  // r15
  frame[2] = 0;                                  // r14
  frame[3] = reinterpret_cast<uint64_t>(entry);  // r13
  frame[4] = reinterpret_cast<uint64_t>(arg);    // r12
  frame[5] = 0;                                  // rbx
  frame[6] = 0;                                  // rbp
  frame[7] = reinterpret_cast<uint64_t>(&fftune_emu_fiber_start);
  fiber.sp = frame;
}

void fiber_switch(Fiber& from, const Fiber& to) {
  fftune_emu_switch(&from.sp, to.sp);
}

}  // namespace fftune::emu
