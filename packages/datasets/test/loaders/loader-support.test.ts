import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resizeNearest } from '../../src/loaders/image-decoding.js';
import { resolveInside, selectTasks, shapeMatches } from '../../src/loaders/loader-support.js';

describe('resolveInside', () => {
  const root = resolve('/data/set');
  it('resolves relative paths inside the root', () => {
    expect(resolveInside(root, 'a/b.png', 'list.txt', 'image')).toBe(join(root, 'a', 'b.png'));
    expect(resolveInside(root, ' ./a.png ', 'list.txt', 'image')).toBe(join(root, 'a.png'));
  });

  it('rejects absolute paths, parent segments and empty values, naming the file and field', () => {
    expect(() => resolveInside(root, '/etc/passwd', 'list.txt', 'image')).toThrow(
      /list\.txt: image '\/etc\/passwd' is an absolute path/,
    );
    expect(() => resolveInside(root, 'C:\\Windows\\x.png', 'list.txt', 'image')).toThrow(
      /is an absolute path/,
    );
    expect(() => resolveInside(root, 'a/../../b.png', 'list.txt', 'image')).toThrow(
      /list\.txt: image 'a\/\.\.\/\.\.\/b\.png' contains '\.\.'/,
    );
    expect(() => resolveInside(root, 'a\\..\\..\\b.png', 'list.txt', 'image')).toThrow(/contains '\.\.'/);
    expect(() => resolveInside(root, '  ', 'list.txt', 'image')).toThrow(/list\.txt: image is empty/);
  });
});

describe('small helpers', () => {
  it('matches shapes with wildcards and selects tasks in data-set order', () => {
    expect(shapeMatches([2, 3, 1], [2, undefined, 1])).toBe(true);
    expect(shapeMatches([2, 3], [2, 3, 1])).toBe(false);
    const all = [{ name: 'semseg' }, { name: 'depth' }, { name: 'normal' }];
    expect(selectTasks(all, ['normal', 'semseg'], 'X').map((task) => task.name)).toEqual([
      'semseg',
      'normal',
    ]);
    expect(() => selectTasks(all, ['edges'], 'X')).toThrow(/X: unknown task 'edges'/);
  });

  it('resizes by nearest neighbour with source index floor(dst·in/out)', () => {
    // 2×3 → 4×2: rows 0,0,1,1; columns floor(0·3/2)=0, floor(1·3/2)=1
    const out = resizeNearest(Int32Array.from([1, 2, 3, 4, 5, 6]), 2, 3, 4, 2);
    expect(Array.from(out)).toEqual([1, 2, 1, 2, 4, 5, 4, 5]);
  });
});
