// VQL on the client: a tokenizer for highlighting (docs/vql.md, "Lexical rules"), the split
// of a query into its filter and its pipes, the autocomplete context at the caret, and the
// quoting of a value for click-to-filter. The server's parser stays the judge of syntax: the
// editor shows the line:column of its 400 answer.

const DELIMS = new Set(['(', ')', '[', ']', ',', '|', ':', '"', "'", '=', '<', '>', '!', '~']);
const KEYWORDS = new Set(['and', 'or', 'not', 'by', 'as', 'if', 'desc', 'asc', 'in']);
const PIPES = new Set(['stats', 'where', 'sort', 'limit', 'head', 'fields', 'top', 'math']);
const FUNCS = new Set([
  'count', 'count_distinct', 'count_uniq', 'sum', 'avg', 'min', 'max', 'p50', 'p90', 'p95', 'p99',
  'median', 'quantile', 'rate', 'round',
]);

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

export type TokenType =
  | 'ws' | 'string' | 'word' | 'field' | 'value' | 'op' | 'pipe' | 'keyword' | 'func' | 'number' | 'punct' | 'neg';
export interface Token {
  type: TokenType;
  text: string;
  start: number;
  end: number;
}

// Tokens {type, text, start, end}; types: ws, string, word, field, value, op, pipe, keyword,
// func, number, punct, neg. Unterminated strings run to the end (the server reports them).
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let afterPipe = false;
  let prevField = false; // the last token was a field's ':' or operator
  while (i < text.length) {
    const c = text[i];
    const start = i;
    if (isSpace(c)) {
      while (i < text.length && isSpace(text[i])) i++;
      out.push({ type: 'ws', text: text.slice(start, i), start, end: i });
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i = Math.min(text.length, i + 1);
      if (text[i] === '*') i++;
      out.push({ type: prevField ? 'value' : 'string', text: text.slice(start, i), start, end: i });
      prevField = false;
      continue;
    }
    if (c === '|') {
      i++;
      out.push({ type: 'pipe', text: '|', start, end: i });
      afterPipe = true;
      prevField = false;
      continue;
    }
    if (DELIMS.has(c)) {
      i++;
      // ':' plus an operator (:>=, :=, :~, :!=)
      while (i < text.length && '=<>!~'.includes(text[i]) && i - start < 3) i++;
      const t = text.slice(start, i);
      const isOp = t.startsWith(':') || /^[=<>!~]/.test(t);
      out.push({ type: isOp ? 'op' : 'punct', text: t, start, end: i });
      prevField = isOp;
      continue;
    }
    // A word: up to a delimiter or space; a word starting with a digit keeps ':' before a digit.
    const digitStart = c >= '0' && c <= '9';
    while (i < text.length && !isSpace(text[i])) {
      const d = text[i];
      if (d === ':' && digitStart && i + 1 < text.length && text[i + 1] >= '0' && text[i + 1] <= '9') {
        i++;
        continue;
      }
      if (DELIMS.has(d)) break;
      i++;
    }
    const t = text.slice(start, i);
    const lower = t.toLowerCase();
    let type: TokenType = 'word';
    if (prevField) type = 'value';
    else if (text[i] === ':' || (text[i] === ' ' && /^\s*(!=|>=|<=|>|<)/.test(text.slice(i)))) type = 'field';
    else if (afterPipe && PIPES.has(lower)) type = 'pipe';
    else if (KEYWORDS.has(lower)) type = 'keyword';
    else if (FUNCS.has(lower) && text[i] === '(') type = 'func';
    else if (/^-?\d+(\.\d+)?$/.test(t)) type = 'number';
    else if (t.startsWith('-') || t.startsWith('!')) type = 'neg';
    out.push({ type, text: t, start, end: i });
    afterPipe = false;
    prevField = false;
  }
  return out;
}

// {filter, pipes}: the text before the first top-level '|' (outside quotes) and the rest
// (without the '|'), or pipes '' when there is none.
export function splitPipes(text: string): { filter: string; pipes: string } {
  for (const t of tokenize(text)) {
    if (t.type === 'pipe' && t.text === '|') {
      return { filter: text.slice(0, t.start).trim(), pipes: text.slice(t.end).trim() };
    }
  }
  return { filter: text.trim(), pipes: '' };
}

// What the caret is in: {kind:'field', prefix, start} or {kind:'value', field, prefix, start}
// (start: where the replaced text begins), or null inside strings or pipes.
export type AcContext =
  | { kind: 'field'; prefix: string; start: number }
  | { kind: 'value'; field: string; prefix: string; start: number };

export function contextAt(text: string, pos: number): AcContext | null {
  const before = text.slice(0, pos);
  if (splitPipes(before).pipes !== '' || /\|\s*$/.test(before)) return null;
  const toks = tokenize(before);
  const last = toks[toks.length - 1];
  if (!last || last.type === 'ws' || last.type === 'punct') {
    return { kind: 'field', prefix: '', start: pos };
  }
  if (last.type === 'op') {
    const f = toks[toks.length - 2];
    if (f && f.type === 'field' && last.text === ':') return { kind: 'value', field: f.text.replace(/^[-!]/, ''), prefix: '', start: pos };
    return null;
  }
  if (last.type === 'value') {
    const op = toks[toks.length - 2];
    const f = toks[toks.length - 3];
    if (op && op.text === ':' && f && f.type === 'field' && !last.text.startsWith('"')) {
      return { kind: 'value', field: f.text.replace(/^[-!]/, ''), prefix: last.text, start: last.start };
    }
    return null;
  }
  if (last.type === 'string') return null;
  const neg = last.text.startsWith('-') || last.text.startsWith('!') ? 1 : 0;
  return { kind: 'field', prefix: last.text.slice(neg), start: last.start + neg };
}

// A value as VQL writes it: bare when it is one plain word, else double-quoted.
export function quoteValue(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  if (s !== '' && /^[^\s()[\],|:"'=<>!~*]+$/.test(s) && !/^-/.test(s) && !KEYWORDS.has(s.toLowerCase())) return s;
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\*/g, '\\*')}"`;
}

// `field:value` (or `-field:value`) appended to a query's filter, pipes kept.
export function addFilter(text: string, field: string, value: unknown, negate = false): string {
  const term = `${negate ? '-' : ''}${field}:${value === null ? '*' : quoteValue(value)}`;
  const { filter, pipes } = splitPipes(text);
  const f = filter === '' || filter === '*' ? term : `${filter} ${term}`;
  return pipes ? `${f} | ${pipes}` : f;
}

// The bare words and phrases of a filter (for highlighting tail matches).
export function searchTerms(filter: string): string[] {
  const out: string[] = [];
  const toks = tokenize(filter);
  for (const t of toks) {
    if (t.type === 'word' && t.text !== '*') out.push(t.text.replace(/\*$/, ''));
    else if (t.type === 'string') out.push(t.text.replace(/^["']|["']\*?$/g, ''));
    else if (t.type === 'value' && !/^[<>=]/.test(t.text)) out.push(t.text.replace(/^["']|["']\*?$/g, '').replace(/\*$/, ''));
  }
  return out.filter((s) => s.length > 0);
}
