// The roberta_glue program as a library function: main() calls it, and tests drive the program's
// code paths through it (tests/e2e/test_examples_custom_adapter.cpp).
#pragma once

namespace roberta_glue {

// Parses the command line, runs what it asks (training, --eval-only, --predict, --demo).
// Returns the exit status: 0, 130 when interrupted, 1 on an error (printed to stderr).
int run_program(int argc, char** argv);

}  // namespace roberta_glue
