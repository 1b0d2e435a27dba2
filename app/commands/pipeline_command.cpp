#include <cstdio>

#include "cacophony/pipeline/pipeline.h"
#include "commands.h"

namespace cacophony::cli {

void add_pipeline_command(CLI::App& app, Action& action) {
  app.add_subcommand("pipeline",
                     "Run the original's two-stage pipeline: wrap words into 5-letter chunks, "
                     "then reverse each")
      ->callback([&action] {
        action = [] {
          for (const std::string& line : run_pipeline(pipeline_demo_words()))
            std::printf("%s\n", line.c_str());
          return 0;
        };
      });
}

}  // namespace cacophony::cli
