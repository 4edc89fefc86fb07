/** Index of the largest of `width` values starting at `from` (the first on ties), counted from `from`. */
export function argmax(values: ArrayLike<number>, from = 0, width = values.length - from): number {
  let best = 0
  for (let c = 1; c < width; c++) if (values[from + c] > values[from + best]) best = c
  return best
}
