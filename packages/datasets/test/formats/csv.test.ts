import { describe, expect, it } from 'vitest';
import { csvField, parseCsv } from '../../src/formats/csv.js';

describe('parseCsv', () => {
  it('handles quotes, escaped quotes, embedded commas and newlines, CRLF, a BOM and blank lines', () => {
    const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""","two\nlines"\n\n1,,3';
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\nlines'],
      ['1', '', '3'],
    ]);
  });

  it('names the file and line of an unterminated quote', () => {
    expect(() => parseCsv('a\n"open,1\n2\n', 'bad.csv')).toThrow(
      /bad\.csv: line 2: unterminated quoted field/,
    );
  });

  it('quotes fields that need it', () => {
    expect([csvField('plain'), csvField('a,b'), csvField('say "x"'), csvField(3)]).toEqual([
      'plain',
      '"a,b"',
      '"say ""x"""',
      '3',
    ]);
  });
});
