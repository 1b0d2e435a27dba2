// The corpus's room: the noise floor and sox's reverb.

#include <sndfile.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <stdexcept>

#include "internal.h"

namespace cacophony::corpus::detail {
namespace {

std::vector<float> white(std::size_t n, std::mt19937_64& rng) {
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::vector<float> out(n);
  for (float& v : out) v = gauss(rng);
  return out;
}

// Paul Kellet's refined filter: within 0.05 dB of -3 dB/octave above 10 Hz at 44.1 kHz.
void pink(std::vector<float>& x) {
  double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
  for (float& v : x) {
    const double w = v;
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.96900 * b2 + w * 0.1538520;
    b3 = 0.86650 * b3 + w * 0.3104856;
    b4 = 0.55000 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.0168980;
    v = static_cast<float>(b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362);
    b6 = w * 0.115926;
  }
}

// A leaky integrator with its corner at 8 Hz: -6 dB/octave above it, the rumble of a room.
void brown(std::vector<float>& x, int rate) {
  const double pole = std::exp(-2 * std::numbers::pi * 8 / rate);
  double y = 0;
  for (float& v : x) v = static_cast<float>(y = pole * y + v);
}

// Mains hum: the fundamental and its first five overtones at 1/k amplitude.
std::vector<float> hum(double hz, std::size_t n, int rate, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> phase(0, 2 * std::numbers::pi);
  std::vector<double> phases(6);
  for (double& p : phases) p = phase(rng);
  std::vector<float> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / rate;
    double v = 0;
    for (std::size_t k = 1; k <= 6; ++k)
      v += std::sin(2 * std::numbers::pi * hz * static_cast<double>(k) * t + phases[k - 1]) /
           static_cast<double>(k);
    out[i] = static_cast<float>(v);
  }
  return out;
}

void write_wav(const std::string& path, const std::vector<float>& samples, int rate) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!f) throw std::runtime_error("corpus: cannot write " + path);
  const auto n = static_cast<sf_count_t>(samples.size());
  const sf_count_t wrote = sf_writef_float(f, samples.data(), n);
  sf_close(f);
  if (wrote != n) throw std::runtime_error("corpus: short write to " + path);
}

std::vector<float> read_wav(const std::string& path) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f || info.channels != 1) throw std::runtime_error("corpus: cannot read " + path);
  std::vector<float> out(static_cast<std::size_t>(info.frames));
  out.resize(static_cast<std::size_t>(sf_readf_float(f, out.data(), info.frames)));
  sf_close(f);
  return out;
}

// sox reverb's reverberance and room scale for an RT60 (corpus.h's calibration).
std::string reverb_arguments(double rt60) {
  if (rt60 <= 0.2) return "0 50 0";
  if (rt60 <= 0.45) return "42 50 20";
  if (rt60 <= 0.8) return "62 50 20";
  return "76 50 20";
}

}  // namespace

std::vector<float> noise(Noise kind, std::size_t n, int rate, std::mt19937_64& rng) {
  std::vector<float> out;
  if (kind == Noise::hum50 || kind == Noise::hum60) {
    out = hum(kind == Noise::hum50 ? 50 : 60, n, rate, rng);
  } else {
    const std::size_t warm = static_cast<std::size_t>(rate);  // past the filters' start
    out = white(n + warm, rng);
    if (kind == Noise::pink) pink(out);
    if (kind == Noise::brown) brown(out, rate);
    out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(warm));
  }
  double squares = 0;
  for (const float v : out) squares += static_cast<double>(v) * v;
  const double rms = std::sqrt(squares / static_cast<double>(std::max<std::size_t>(n, 1)));
  for (float& v : out) v = static_cast<float>(v / rms);
  return out;
}

std::vector<float> reverb(const std::vector<float>& samples, int rate, double rt60) {
  const std::string stem = temp_stem();
  write_wav(stem + "-dry.wav", samples, rate);
  const std::string command = "sox -D -V1 '" + stem + "-dry.wav' -e floating-point '" + stem +
                              "-wet.wav' reverb " + reverb_arguments(rt60) + " >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  std::filesystem::remove(stem + "-dry.wav");
  if (status != 0) {
    std::filesystem::remove(stem + "-wet.wav");
    throw std::runtime_error("corpus: sox reverb failed");
  }
  std::vector<float> out = read_wav(stem + "-wet.wav");
  std::filesystem::remove(stem + "-wet.wav");
  out.resize(samples.size(), 0.0f);
  return out;
}

}  // namespace cacophony::corpus::detail
