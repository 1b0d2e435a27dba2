// A practice take for the page test: real snare hits (hydrogen-data's GMRockKit) on 12 bars of 4/4
// at 100 bpm, in three phases: bars 1-4 on the beat (±8 ms), bars 5-8 (muted) rushed by 15 ms,
// bars 9-12 dragged and slower (each beat 2.5 % long, from the bar's first), with a missed hit
// and a ghost note; written as a 16-bit mono WAV at 44.1 kHz, the kit's own rate.
import { readFileSync, writeFileSync } from 'node:fs';

const KIT = '/usr/share/hydrogen/data/drumkits/GMRockKit';

// The first 250 ms of a 16-bit PCM WAV's first channel, as numbers in [-1, 1), faded out over
// the last 50 (the kit's snares ring for a second, into the next beats).
function readWav(file) {
  const b = readFileSync(file);
  let at = 12;
  let channels = 1, data = null;
  while (at + 8 <= b.length) {
    const id = b.toString('ascii', at, at + 4), size = b.readUInt32LE(at + 4);
    if (id === 'fmt ') channels = b.readUInt16LE(at + 10);
    if (id === 'data') data = b.subarray(at + 8, at + 8 + size);
    at += 8 + size + (size % 2);
  }
  const out = [];
  for (let i = 0; i + 2 * channels <= data.length; i += 2 * channels) out.push(data.readInt16LE(i) / 32768);
  const keep = Math.min(out.length, 11025), fade = 2205;
  return out.slice(0, keep).map((s, i) => (i < keep - fade ? s : (s * (keep - i)) / fade));
}

function writeWav(file, samples, rate) {
  const b = Buffer.alloc(44 + samples.length * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + samples.length * 2, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34); b.write('data', 36); b.writeUInt32LE(samples.length * 2, 40);
  samples.forEach((s, i) => b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(s * 32767))), 44 + 2 * i));
  writeFileSync(file, b);
}

// Writes the take to `file`, its first beat half a second in; returns the rhythm words and
// options that describe its grid.
export function writeTake(file) {
  const rate = 44100, beat = 0.6, lead = 0.5;  // 100 bpm
  const snare = readWav(`${KIT}/Snare-Hard.wav`), ghost = readWav(`${KIT}/Snare-Softest.wav`);
  const take = new Array(Math.round(rate * (lead + beat * 50))).fill(0);
  const put = (sound, seconds, gain) => {
    const at = Math.round((lead + seconds) * rate);
    sound.forEach((s, i) => { if (at + i < take.length) take[at + i] += s * gain; });
  };
  for (let k = 0; k < 48; ++k) {
    if (k === 9) continue;  // a missed hit
    const bar = Math.floor(k / 4);
    const phase = bar < 4 ? 0 : bar < 8 ? -0.015 : 0.025 * beat * (k % 4);
    put(snare, k * beat + phase + (bar < 4 ? 0.008 : 0.003) * Math.sin(k * 1.7), 0.8);
  }
  put(ghost, 14.5 * beat, 0.6);  // a ghost note between beats
  writeWav(file, take, rate);
  return ['12', '4/4', '100', '--mute', '4/4', '--start', String(lead)];
}
