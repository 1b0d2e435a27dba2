// cacophony: the metronome of "Metronome's Cacophony", fourteen ways, measured.

#include "cacophony_cli.h"

int main(int argc, char** argv) {
  return cacophony::cli::main(argc, argv);
}
