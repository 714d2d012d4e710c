// vit_dtd: fine-tunes a ViT on DTD (or any ImageFolder) with FourierFT, LoRA, Hartley (any
// registered adapter), full fine-tuning or the head alone; with --demo, the paper's Figure 1 in
// miniature on procedural textures. `vit_dtd --help` lists the flags; docs/walkthrough.md follows
// one training step through the code, docs/reproduce.md gives the paper's DTD command.
#include "program.h"

int main(int argc, char** argv) {
  return vit_dtd::run_program(argc, argv);
}
