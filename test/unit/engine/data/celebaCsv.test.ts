import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDataset } from '../../../../src-main/engine/data/open'
import { expectBadInput, tempDir, writeFile, writeImage } from './helpers'

let dir: string
let cleanup: () => void
beforeEach(() => ({ dir, cleanup } = tempDir()))
afterEach(() => cleanup())

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `${String(i + 1).padStart(6, '0')}.jpg`)

/** A CelebA folder: img_align_celeba/<files> and an attribute file built from `rows`. */
async function celeba(files: string[], header: string, rows: string[], count = rows.length): Promise<void> {
  for (const [i, f] of files.entries()) await writeImage(join(dir, 'img_align_celeba', f), 'jpeg', 10, 12, 3, i)
  writeFile(join(dir, 'list_attr_celeba.txt'), `${count}\n${header}\n${rows.join('\n')}\n`)
}

function warning(summary: { warnings: { code: string; count: number; examples: string[] }[] }, code: string) {
  return summary.warnings.find((w) => w.code === code)
}

describe('CelebA layout', () => {
  const files = names(8)
  const rows = files.map((f, i) => `${f} ${i % 2 ? ' 1' : '-1'} ${i < 3 ? ' 1' : '-1'}  -1`)

  it('reads attributes with rates, partitions, and a chosen label', async () => {
    await celeba(files, 'Smiling Male Bald', rows)
    writeFile(join(dir, 'list_eval_partition.txt'), files.map((f, i) => `${f} ${i < 5 ? 0 : i < 7 ? 1 : 2}`).join('\n'))
    const ds = await openDataset(dir)
    const s = ds.summary
    expect(s.format).toBe('celeba')
    expect(s.splits).toEqual([{ name: 'train', count: 5 }, { name: 'val', count: 2 }, { name: 'test', count: 1 }])
    expect(s.image).toMatchObject({ width: 10, height: 12, channels: 3 })
    expect(s.label).toEqual({ kind: 'attribute', attribute: 'Smiling' })
    expect(s.attributes.map((a) => [a.name, a.positives, a.total])).toEqual([['Smiling', 4, 8], ['Male', 3, 8], ['Bald', 0, 8]])
    expect(s.classes.map((c) => [c.name, c.total])).toEqual([['not Smiling', 4], ['Smiling', 4]])
    expect(warning(s, 'constant_attribute')).toMatchObject({ count: 1, examples: ['Bald'] })
    expect([...ds.split('train').labels()]).toEqual([0, 1, 0, 1, 0])
    expect([...ds.split('train').labels('Male')]).toEqual([1, 1, 1, 0, 0])
    const male = await openDataset(dir, { label: 'Male' })
    expect(male.classNames).toEqual(['not Male', 'Male'])
    const relabelled = ds.withLabel('Male')
    expect(relabelled.table).toBe(ds.table)
    expect(relabelled.summary.classes.map((c) => c.total)).toEqual([5, 3])
    expect(relabelled.summary.warnings).toEqual(s.warnings)
    const thumb = await ds.thumbnail(s.samples[0].refs[0], 24)
    expect(thumb.subarray(1, 4).toString()).toBe('PNG')
    expect(s.samples.filter((g) => g.kind === 'attribute').map((g) => g.label)).toEqual(['Smiling', 'not Smiling', 'Male', 'not Male', 'Bald', 'not Bald'])
  })

  it('rejects an unknown or constant label attribute', async () => {
    await celeba(files, 'Smiling Male Bald', rows)
    await expectBadInput(() => openDataset(dir, { label: 'Smilling' }), /list_attr_celeba\.txt: has no attribute "Smilling"; choose one of Smiling, Male, Bald/)
    await expectBadInput(() => openDataset(dir, { label: 'Bald' }), /attribute "Bald" is -1 for every usable image/)
  })

  it('skips a few rows with the wrong number of columns or values other than ±1', async () => {
    const bad = [...rows]
    bad[2] = `${files[2]} 1 -1`
    bad[5] = `${files[5]} 1 0 -1`
    await celeba(files, 'Smiling Male Bald', bad, 99)
    const s = (await openDataset(dir)).summary
    expect(s.total).toBe(6)
    expect(warning(s, 'bad_row')?.examples).toEqual(['list_attr_celeba.txt line 5: 2 values, expected 3'])
    expect(warning(s, 'bad_value')?.examples).toEqual(['list_attr_celeba.txt line 8: "0" for Male (must be 1 or -1)'])
    expect(warning(s, 'count_mismatch')).toBeDefined()
  })

  it('rejects an attribute file where most rows have the wrong number of columns', async () => {
    await celeba(files, 'Smiling Male Bald', files.map((f) => `${f} 1 -1`))
    await expectBadInput(() => openDataset(dir), /list_attr_celeba\.txt line 3: 2 values, expected 3/, /8 of 8 rows are malformed/)
  })

  it('rejects an attribute file without a count line', async () => {
    await celeba(files, 'Smiling Male Bald', rows)
    writeFile(join(dir, 'list_attr_celeba.txt'), `Smiling Male\n${rows.join('\n')}`)
    await expectBadInput(() => openDataset(dir), /list_attr_celeba\.txt: line 1 should be the number of images/)
  })

  it('skips rows naming missing files, and fails when none exist', async () => {
    await celeba(files, 'Smiling Male Bald', [...rows, `999999.jpg  1  1 -1`])
    const s = (await openDataset(dir)).summary
    expect(s.total).toBe(8)
    expect(warning(s, 'missing_file')).toMatchObject({ count: 1, examples: ['img_align_celeba/999999.jpg'] })
    writeFile(join(dir, 'list_attr_celeba.txt'), `2\nSmiling\nx1.jpg 1\nx2.jpg -1\n`)
    await expectBadInput(() => openDataset(dir), /list_attr_celeba\.txt: none of the 2 listed images can be used/, /does not exist/)
  })

  it('skips images missing from the partition file', async () => {
    await celeba(files, 'Smiling Male Bald', rows)
    writeFile(join(dir, 'list_eval_partition.txt'), files.slice(0, 6).map((f) => `${f} 0`).join('\n') + `\n${files[6]} 7\n`)
    const s = (await openDataset(dir)).summary
    expect(s.splits).toEqual([{ name: 'train', count: 6 }])
    expect(warning(s, 'not_in_partition')?.count).toBe(2)
    expect(warning(s, 'bad_value')?.examples[0]).toMatch(/list_eval_partition\.txt line 7: "7"/)
  })

  it('finds images in the root or the Kaggle nested folder', async () => {
    for (const [i, f] of files.entries()) await writeImage(join(dir, 'img_align_celeba', 'img_align_celeba', f), 'jpeg', 10, 12, 3, i)
    writeFile(join(dir, 'list_attr_celeba.txt'), `8\nSmiling Male Bald\n${rows.join('\n')}\n`)
    expect((await openDataset(dir)).summary.total).toBe(8)
  })
})

describe('labels.csv', () => {
  async function images(list: string[]): Promise<void> {
    for (const [i, f] of list.entries()) await writeImage(join(dir, f), 'png', 6, 6, 1, i)
  }

  it('reads filename,label,split rows with a header', async () => {
    await images(['a.png', 'b.png', 'sub/c.png', 'd.png', 'e.png'])
    writeFile(join(dir, 'labels.csv'), 'filename,label,split\na.png,cat,train\nb.png,dog,train\n"sub/c.png",cat,test\nd.png,dog,validation\ne.png,cat,train\n')
    const ds = await openDataset(dir)
    const s = ds.summary
    expect(s.format).toBe('csv')
    expect(s.splits).toEqual([{ name: 'train', count: 3 }, { name: 'val', count: 1 }, { name: 'test', count: 1 }])
    expect(s.image).toMatchObject({ width: 6, height: 6, channels: 1 })
    expect(s.classes.map((c) => [c.name, c.total])).toEqual([['cat', 3], ['dog', 2]])
    expect(ds.split('test').file(0)).toBe('sub/c.png')
  })

  it('puts rows without a split into "all" and skips rows naming missing files', async () => {
    await images(['a.png', 'b.png', 'c.png'])
    writeFile(join(dir, 'labels.csv'), 'a.png,1\nb.png,2\nc.png,1\nmissing.png,2\n')
    const s = (await openDataset(dir)).summary
    expect(s.splits).toEqual([{ name: 'all', count: 3 }])
    expect(warning(s, 'missing_file')).toMatchObject({ count: 1, examples: ['missing.png'] })
  })

  it('skips bad rows, unknown splits, paths leaving the folder and duplicates', async () => {
    await images(['a.png', 'b.png', 'c.png', 'd.png'])
    writeFile(join(dir, 'labels.csv'), 'a.png,1\nb.png,2\nc.png,1\nd.png,2\nonlyone\na.png,2\n../x.png,1\nd.png,1,holdout\n')
    const s = (await openDataset(dir)).summary
    expect(s.total).toBe(4)
    expect(warning(s, 'bad_row')?.count).toBe(1)
    expect(warning(s, 'duplicate_row')?.count).toBe(1)
    expect(warning(s, 'bad_value')?.examples[0]).toMatch(/leaves the dataset folder/)
    expect(warning(s, 'unknown_split')?.examples[0]).toMatch(/split "holdout"/)
  })

  it('rejects a CSV whose rows all name missing files', async () => {
    writeFile(join(dir, 'labels.csv'), 'x.png,1\ny.png,2\n')
    await expectBadInput(() => openDataset(dir), /labels\.csv: none of the 2 listed images can be used/, /row.* name.* an image that does not exist/)
  })

  it('rejects a single label and a malformed CSV', async () => {
    await images(['a.png', 'b.png'])
    writeFile(join(dir, 'labels.csv'), 'a.png,1\nb.png,1\n')
    await expectBadInput(() => openDataset(dir), /labels\.csv: every usable image has the label "1"/)
    writeFile(join(dir, 'labels.csv'), 'a.png;1\nb.png;2\n')
    await expectBadInput(() => openDataset(dir), /labels\.csv line 1: 1 fields/, /2 of 2 rows are malformed/)
  })
})
