/**
 * Poster and page sizes of a composition, and the type sizes that read well on them. Type is set
 * in points at the printed size; the defaults are those of an A0 poster (read from about 1.5 m)
 * scaled with the page's short side, never below what a letter-size page needs.
 */

const MM_PER_IN = 25.4

export const PAGE_SIZES = {
  'a0-portrait': { label: 'A0 portrait (841 × 1189 mm)', widthIn: 841 / MM_PER_IN, heightIn: 1189 / MM_PER_IN },
  'a0-landscape': { label: 'A0 landscape (1189 × 841 mm)', widthIn: 1189 / MM_PER_IN, heightIn: 841 / MM_PER_IN },
  'a1-portrait': { label: 'A1 portrait (594 × 841 mm)', widthIn: 594 / MM_PER_IN, heightIn: 841 / MM_PER_IN },
  'a1-landscape': { label: 'A1 landscape (841 × 594 mm)', widthIn: 841 / MM_PER_IN, heightIn: 594 / MM_PER_IN },
  '48x36': { label: '48 × 36 in (landscape)', widthIn: 48, heightIn: 36 },
  '36x48': { label: '36 × 48 in (portrait)', widthIn: 36, heightIn: 48 }
} as const satisfies Record<string, { label: string; widthIn: number; heightIn: number }>

export type PageSizeName = keyof typeof PAGE_SIZES
export const PAGE_SIZE_NAMES = Object.keys(PAGE_SIZES) as PageSizeName[]

export function isPageSizeName(name: string): name is PageSizeName {
  return Object.hasOwn(PAGE_SIZES, name)
}

/** The preset a width × height matches (to 0.01 in), or null for a custom size. */
export function pageSizeOf(widthIn: number, heightIn: number): PageSizeName | null {
  return PAGE_SIZE_NAMES.find((name) => Math.abs(PAGE_SIZES[name].widthIn - widthIn) < 0.01 && Math.abs(PAGE_SIZES[name].heightIn - heightIn) < 0.01) ?? null
}

/** A0's short side, where the body type is 20 pt. */
const A0_SHORT_IN = 841 / MM_PER_IN
const A0_BODY_PT = 20

/** Body type (captions, axis names, tick labels) in points for a page: 20 pt on A0, scaled by the short side, 9 pt at least. */
export function bodyTypeFor(widthIn: number, heightIn: number): number {
  return Math.max(9, Math.round((A0_BODY_PT * Math.min(widthIn, heightIn)) / A0_SHORT_IN))
}

/** The sizes a composition draws with, from its body type in points: titles 1.4×, no text below 0.9×. */
export function printType(bodyPt: number): { body: number; title: number; min: number } {
  return { body: bodyPt, title: Math.round(bodyPt * 1.4 * 10) / 10, min: Math.round(bodyPt * 0.9 * 10) / 10 }
}
