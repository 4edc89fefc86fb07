import type { DatasetWarning, WarningCode } from '../../../src-shared/dataset'

const MAX_EXAMPLES = 5

/** How each warning reads, given its count; "what happened" and what was done about it. */
const describe: Record<WarningCode, (n: number, s: string) => string> = {
  empty_file: (n, s) => `${n} image file${s} ${be(n)} zero bytes long and ${be(n)} skipped`,
  truncated: (n, s) => `${n} image file${s} ${be(n)} truncated (cut off before the end) and ${be(n)} skipped`,
  corrupt: (n, s) => `${n} image${s} ${have(n)} a damaged header or data that cannot be decoded and ${be(n)} skipped`,
  not_an_image: (n, s) => `${n} file${s} with an image extension ${n === 1 ? 'is not an image' : 'are not images'} and ${be(n)} skipped`,
  unsupported_format: (n, s) => `${n} image${s} in an unsupported format (only PNG, JPEG and WebP are read) ${be(n)} skipped`,
  extension_mismatch: (n, s) => `${n} image${s} ${have(n)} an extension that does not match the content; ${n === 1 ? 'it is' : 'they are'} read by content`,
  too_many_pixels: (n, s) => `${n} image${s} ${have(n)} more pixels than the decompression limit and ${be(n)} skipped`,
  unreadable: (n, s) => `${n} file${s} could not be read (permission denied or I/O error) and ${be(n)} skipped`,
  symlink_loop: (n, s) => `${n} symbolic link${s} lead${n === 1 ? 's' : ''} into a loop or to a folder already read and ${be(n)} not followed`,
  broken_link: (n, s) => `${n} symbolic link${s} point${n === 1 ? 's' : ''} to nothing and ${be(n)} skipped`,
  not_a_file: (n) => `${n} entr${n === 1 ? 'y' : 'ies'} ${n === 1 ? 'was not a regular file' : 'were not regular files'} (device, pipe or socket) and ${be(n)} skipped`,
  missing_file: (n, s) => `${n} row${s} name${n === 1 ? 's' : ''} an image that does not exist and ${be(n)} skipped`,
  bad_row: (n, s) => `${n} row${s} ${have(n)} the wrong number of columns and ${be(n)} skipped`,
  bad_value: (n, s) => `${n} row${s} ${have(n)} a value that is not allowed and ${be(n)} skipped`,
  count_mismatch: () => `the count on the first line of the attribute file does not match its number of rows; the rows are used`,
  unlisted_image: (n, s) => `${n} image${s} in the folder ${be(n)} not listed in the label file and ${be(n)} ignored`,
  not_in_partition: (n, s) => `${n} image${s} ${be(n)} missing from the partition file and ${be(n)} skipped`,
  unknown_split: (n, s) => `${n} row${s} name${n === 1 ? 's' : ''} a split other than train, val or test and ${be(n)} skipped`,
  duplicate_row: (n, s) => `${n} row${s} repeat${n === 1 ? 's' : ''} an image already listed; only the first is used`,
  stray_images: (n, s) => `${n} image${s} outside the class folders ${be(n)} ignored`,
  empty_class: (n, s) => `${n} class folder${s} contain${n === 1 ? 's' : ''} no usable images and ${be(n)} left out`,
  ignored_files: (n, s) => `${n} file${s} without an image extension ${be(n)} ignored`,
  constant_attribute: (n, s) => `${n} attribute${s} ${have(n)} the same value for every image and cannot be learned as a label`,
  mixed_sizes: (n, s) => `images come in ${n} different size${s}; they are resized to one input size when loaded`,
  walk_limit: () => `the folder is too deep or holds too many entries; only part of it was read`,
  decode_failed: (n, s) => `${n} image${s} failed to decode while loading and ${be(n)} left out of ${n === 1 ? 'its batch' : 'their batches'}`
}

function be(n: number): string {
  return n === 1 ? 'was' : 'were'
}
function have(n: number): string {
  return n === 1 ? 'has' : 'have'
}

/** Tallies problems by kind while a dataset is read, keeping a few examples of each. */
export class WarningCollector {
  private readonly entries = new Map<WarningCode, { count: number; examples: string[] }>()

  add(code: WarningCode, example?: string, count = 1): void {
    let entry = this.entries.get(code)
    if (!entry) {
      entry = { count: 0, examples: [] }
      this.entries.set(code, entry)
    }
    entry.count += count
    if (example !== undefined && entry.examples.length < MAX_EXAMPLES) entry.examples.push(example)
  }

  count(code: WarningCode): number {
    return this.entries.get(code)?.count ?? 0
  }

  /** Files or rows that were left out of the dataset (as opposed to notes about usable data). */
  skipped(): number {
    let total = 0
    for (const [code, entry] of this.entries) if (skippingCodes.has(code)) total += entry.count
    return total
  }

  /** The most frequent reason files were skipped, e.g. for a "no usable images" message. */
  mainSkipReason(): DatasetWarning | null {
    const list = this.list().filter((w) => skippingCodes.has(w.code))
    list.sort((a, b) => b.count - a.count)
    return list[0] ?? null
  }

  list(): DatasetWarning[] {
    return [...this.entries].map(([code, { count, examples }]) => ({
      code,
      count,
      examples: [...examples],
      message: describe[code](count, count === 1 ? '' : 's')
    }))
  }
}

const skippingCodes = new Set<WarningCode>([
  'empty_file',
  'truncated',
  'corrupt',
  'not_an_image',
  'unsupported_format',
  'too_many_pixels',
  'unreadable',
  'broken_link',
  'not_a_file',
  'missing_file',
  'bad_row',
  'bad_value',
  'symlink_loop',
  'not_in_partition',
  'unknown_split',
  'decode_failed'
])
