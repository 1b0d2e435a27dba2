#pragma once
// The corpus's parts, shared by its files only: samples, noise and the room.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "corpus.h"

namespace cacophony::corpus::detail {

// A sample at one rate, normalised to peak 1, with its attack (first sample >= a tenth of 1).
struct Sample {
  std::vector<float> samples;
  std::int64_t attack = 0;
};

// The samples an instrument plays: by beat of the bar (cycled), between beats, and for ghosts.
struct Voices {
  std::vector<std::string> beats;
  std::string between;
  std::string ghost;
};

// Throws std::invalid_argument for an unknown instrument.
const Voices& voices(const std::string& instrument);
// A sample by id (a kit's file under the drumkits folder, or "fluid:PROGRAM:NOTE:VELOCITY"), at
// `rate`; loaded once per process.
const Sample& sample(const std::string& id, int rate);

// `n` samples of `noise` at RMS 1 (hum: with phases from `rng`).
std::vector<float> noise(Noise noise, std::size_t n, int rate, std::mt19937_64& rng);

// `samples` through sox's reverb for `rt60` seconds (corpus.h's table), same length.
std::vector<float> reverb(const std::vector<float>& samples, int rate, double rt60);

// The folder the rendered notes and sox's temporary files go to.
std::string cache_dir();
// A path in cache_dir() no other call, thread or process gets: add an extension.
std::string temp_stem();

}  // namespace cacophony::corpus::detail
