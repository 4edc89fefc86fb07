import { computed, ref, type Ref } from 'vue'

/**
 * A page of a layer's channels: `size` of them from `first`, turned a page at a time and kept
 * inside the layer's `total` (shown by BaseChannelPager).
 */
export function useChannelPager(total: Ref<number>, size: Ref<number>) {
  const first = ref(0)
  const pageSize = computed(() => Math.max(1, Math.floor(size.value) || 1))
  const channels = computed(() => {
    const n = total.value
    const start = Math.min(Math.max(0, first.value), Math.max(0, n - 1))
    return Array.from({ length: Math.max(0, Math.min(pageSize.value, n - start)) }, (_, k) => start + k)
  })
  const hasPrevious = computed(() => first.value > 0)
  const hasNext = computed(() => first.value + pageSize.value < total.value)

  /** Turns `delta` pages; a turn past the last channel stays on the last page. */
  function turn(delta: number): void {
    const next = Math.max(0, first.value + delta * pageSize.value)
    if (next < total.value) first.value = next
  }
  function reset(): void {
    first.value = 0
  }
  return { first, channels, hasPrevious, hasNext, turn, reset }
}
