// Minimal CSV reader (RFC 4180: comma separated, double-quoted fields with "" escapes, CRLF or LF line ends), for
// split tables and the affect annotation files (AffectNet's CSV quotes its landmark column).

/** Parses CSV text into rows of fields. Blank lines are skipped. Throws naming `file` on an unterminated quote. */
export function parseCsv(text: string, file = '<csv>', separator = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  const endRow = (): void => {
    row.push(field);
    field = '';
    if (!(row.length === 1 && row[0]!.trim() === '')) rows.push(row);
    row = [];
  };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (quoted) {
      if (char === '"') {
        if (body[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (char === '\n') line++;
        field += char;
      }
    } else if (char === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (char === separator) {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && body[i + 1] === '\n') i++;
      endRow();
      line++;
    } else {
      field += char;
    }
  }
  if (quoted) throw new Error(`${file}: line ${quoteLine}: unterminated quoted field`);
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** Quotes a CSV field when it needs it. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
