// A small RFC 4180 CSV reader: quoted fields, doubled quotes, newlines inside quotes.
// Each record keeps the line number it starts on, for error reports.
export function parseCsv(text) {
  const records = [];
  let field = '';
  let record = [];
  let line = 1;
  let start = 1;
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  const endRecord = () => {
    record.push(field);
    if (record.length > 1 || record[0].trim() !== '') records.push({ line: start, fields: record });
    record = [];
    field = '';
  };
  for (let i = 0; i < src.length; i += 1) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line += 1;
        field += ch;
      }
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i += 1;
      endRecord();
      line += 1;
      start = line;
    } else field += ch;
  }
  if (field !== '' || record.length) endRecord();
  return records;
}

// Records to objects keyed by the (lower-cased) header row.
export function withHeader(records) {
  if (!records.length) return { header: [], rows: [] };
  const header = records[0].fields.map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
  const rows = records.slice(1).map(({ line, fields }) => ({
    line,
    values: Object.fromEntries(header.map((key, i) => [key, (fields[i] || '').trim()])),
  }));
  return { header, rows };
}
