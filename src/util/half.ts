// IEEE 754 half precision (float16) bits of numbers, rounded to nearest; Node 20 has no Float16Array.
const single = new Float32Array(1);
const bits = new Uint32Array(single.buffer);
/** The largest finite half. */
const MAX_HALF_BITS = 0x7bff;

/** The float16 bits of `value`; beyond the largest finite half, that half (never infinity). */
export function toHalf(value: number): number {
  single[0] = value;
  const x = bits[0]!;
  const sign = (x >>> 16) & 0x8000;
  if (Number.isNaN(value)) return sign | 0x7e00;
  const exponent = ((x >>> 23) & 0xff) - 127 + 15;
  const mantissa = x & 0x7fffff;
  if (exponent >= 31) return sign | MAX_HALF_BITS;
  if (exponent <= 0) {
    // A subnormal half, or zero: the implicit bit made explicit, shifted, rounded.
    if (exponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - exponent;
    return sign | ((full >> shift) + ((full >> (shift - 1)) & 1));
  }
  // Rounding may carry into the exponent, which is still the right half (or the largest one).
  const half = ((exponent << 10) | (mantissa >> 13)) + ((mantissa >> 12) & 1);
  return sign | Math.min(half, MAX_HALF_BITS);
}

/** The float16 bits of each of `values`. */
export function toHalves(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toHalf(values[i]!);
  return out;
}
