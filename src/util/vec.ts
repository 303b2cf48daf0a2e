export function dot(a: Float32Array, b: Float32Array, bOffset = 0, dim = a.length): number {
  // Four running sums: independent additions pipeline (the ranker calls this thousands of times a message).
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0,
    i = 0;
  for (; i + 3 < dim; i += 4) {
    s0 += a[i]! * b[bOffset + i]!;
    s1 += a[i + 1]! * b[bOffset + i + 1]!;
    s2 += a[i + 2]! * b[bOffset + i + 2]!;
    s3 += a[i + 3]! * b[bOffset + i + 3]!;
  }
  for (; i < dim; i++) s0 += a[i]! * b[bOffset + i]!;
  return s0 + s1 + (s2 + s3);
}

export function normalizeInPlace(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  if (n > 1e-9) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/** out += w * v */
export function addScaled(
  out: Float32Array,
  v: Float32Array,
  w: number,
  vOffset = 0,
): Float32Array {
  for (let i = 0; i < out.length; i++) out[i]! += w * v[vOffset + i]!;
  return out;
}

export function norm(v: Float32Array): number {
  return Math.sqrt(dot(v, v));
}

/** Cosine of `a` with row `row` of a row-major matrix of unit vectors; `a` need not be unit length. */
export function cosineWithRow(
  a: Float32Array,
  matrix: Float32Array,
  row: number,
  aNorm = norm(a),
): number {
  if (aNorm < 1e-9) return 0;
  return dot(a, matrix, row * a.length) / aNorm;
}
