// The VQL editor of the search page: CodeMirror 6 with a VQL StreamLanguage (the lexical rules
// of docs/vql.md, as vql.ts's tokenizer: field, value, operator, pipe, keyword, function,
// number, negation), autocompletion of field names and values (the sources are the page's:
// known and seen fields, /v1/stats columns, a `top` query for values), and the server's syntax
// error shown as a diagnostic at its line:column (class t-error on the marked text).
// Enter runs, Shift+Enter adds a line, Tab or Enter takes a completion, Esc closes it.
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderExt } from '@codemirror/view';
import { StreamLanguage, HighlightStyle, syntaxHighlighting, type StringStream } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { defaultKeymap, history, historyKeymap, insertNewline } from '@codemirror/commands';
import {
  autocompletion, acceptCompletion, startCompletion, insertCompletionText, type Completion,
  type CompletionContext, type CompletionResult,
} from '@codemirror/autocomplete';
import { setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { contextAt, quoteValue } from './vql.js';

const DELIMS = new Set(['(', ')', '[', ']', ',', '|', ':', '"', "'", '=', '<', '>', '!', '~']);
const KEYWORDS = new Set(['and', 'or', 'not', 'by', 'as', 'if', 'desc', 'asc', 'in']);
const PIPES = new Set(['stats', 'where', 'sort', 'limit', 'head', 'fields', 'top', 'math']);
const FUNCS = new Set([
  'count', 'count_distinct', 'count_uniq', 'sum', 'avg', 'min', 'max', 'p50', 'p90', 'p95', 'p99',
  'median', 'quantile', 'rate', 'round',
]);

interface VqlState {
  afterPipe: boolean;
  prevField: boolean; // the last token was a field's ':' or an operator
}

// One token at a time, as vql.ts's tokenize() splits the whole text.
const vqlParser = {
  name: 'vql',
  startState: (): VqlState => ({ afterPipe: false, prevField: false }),
  copyState: (s: VqlState): VqlState => ({ ...s }),
  token(stream: StringStream, state: VqlState): string | null {
    if (stream.eatSpace()) return null;
    const c = stream.next()!;
    if (c === '"' || c === "'") {
      while (!stream.eol()) {
        const d = stream.next();
        if (d === '\\') stream.next();
        else if (d === c) break;
      }
      stream.eat('*');
      const t = state.prevField ? 'value' : 'string';
      state.prevField = false;
      return t;
    }
    if (c === '|') {
      state.afterPipe = true;
      state.prevField = false;
      return 'pipe';
    }
    if (DELIMS.has(c)) {
      let n = 1;
      while (n < 3 && stream.eat(/[=<>!~]/)) n++;
      const isOp = c === ':' || /[=<>!~]/.test(c);
      state.prevField = isOp;
      return isOp ? 'op' : 'punct';
    }
    const digitStart = c >= '0' && c <= '9';
    for (;;) {
      const d = stream.peek();
      if (d === undefined || /\s/.test(d)) break;
      if (d === ':' && digitStart && /[0-9]/.test(stream.string.charAt(stream.pos + 1))) {
        stream.next();
        continue;
      }
      if (DELIMS.has(d)) break;
      stream.next();
    }
    const word = stream.current();
    const lower = word.toLowerCase();
    const rest = stream.string.slice(stream.pos);
    let type = 'word';
    if (state.prevField) type = 'value';
    else if (rest.startsWith(':') || /^ \s*(!=|>=|<=|>|<)/.test(rest)) type = 'field';
    else if (state.afterPipe && PIPES.has(lower)) type = 'pipe';
    else if (KEYWORDS.has(lower)) type = 'keyword';
    else if (FUNCS.has(lower) && rest.startsWith('(')) type = 'func';
    else if (/^-?\d+(\.\d+)?$/.test(word)) type = 'number';
    else if (word.startsWith('-') || word.startsWith('!')) type = 'neg';
    state.afterPipe = false;
    state.prevField = false;
    return type;
  },
  tokenTable: {
    field: tags.propertyName,
    value: tags.special(tags.string),
    string: tags.string,
    op: tags.operator,
    pipe: tags.controlKeyword,
    keyword: tags.keyword,
    func: tags.function(tags.variableName),
    number: tags.number,
    neg: tags.modifier,
    punct: tags.punctuation,
    word: tags.content,
  },
};

export const vqlLanguage = StreamLanguage.define(vqlParser);

// The token classes of app.css (t-field, t-value, …), so both themes colour them.
const vqlHighlight = HighlightStyle.define([
  { tag: tags.propertyName, class: 't-field' },
  { tag: tags.special(tags.string), class: 't-value' },
  { tag: tags.string, class: 't-string' },
  { tag: tags.operator, class: 't-op' },
  { tag: tags.controlKeyword, class: 't-pipe' },
  { tag: tags.keyword, class: 't-keyword' },
  { tag: tags.function(tags.variableName), class: 't-func' },
  { tag: tags.number, class: 't-number' },
  { tag: tags.modifier, class: 't-neg' },
]);

export interface EditorOptions {
  parent: HTMLElement;
  doc: string;
  label: string;
  onSubmit: () => void;
  onChange: (text: string) => void;
  fields: () => Promise<Iterable<string>>;
  values: (field: string) => Promise<unknown[]>;
}

export interface QueryEditor {
  view: EditorView;
  text(): string;
  setText(text: string): void;
  // The server's syntax error at 1-based line:column (null clears it).
  showError(pos: { line: number; col: number; message: string } | null): void;
}

export function queryEditor(o: EditorOptions): QueryEditor {
  async function complete(ctx: CompletionContext): Promise<CompletionResult | null> {
    const text = ctx.state.doc.toString();
    const at = contextAt(text, ctx.pos);
    if (!at) return null;
    if (at.kind === 'field') {
      if (!at.prefix.length && !ctx.explicit) return null;
      const names = [...(await o.fields())].filter((f) => f.startsWith(at.prefix) && f !== at.prefix).sort().slice(0, 50);
      const options: Completion[] = names.map((f) => ({
        label: f,
        type: 'property',
        apply: (view, _c, from, to) => {
          view.dispatch(insertCompletionText(view.state, `${f}:`, from, to));
          startCompletion(view); // then the field's values
        },
      }));
      return { from: at.start, options, validFor: /^[\w.]*$/ };
    }
    const vals = (await o.values(at.field)).map(String);
    if (ctx.aborted) return null;
    const prefix = at.prefix.replace(/^"/, '');
    const options: Completion[] = vals.filter((v) => v.startsWith(prefix) && v !== at.prefix)
      .slice(0, 12).map((v) => ({ label: v, type: 'constant', apply: `${quoteValue(v)} ` }));
    return { from: at.start, options, filter: false };
  }

  const extensions: Extension[] = [
    history(),
    vqlLanguage,
    syntaxHighlighting(vqlHighlight),
    autocompletion({ override: [complete], icons: false, activateOnTyping: true }),
    keymap.of([
      { key: 'Tab', run: acceptCompletion },
      { key: 'Enter', run: () => { o.onSubmit(); return true; } },
      { key: 'Shift-Enter', run: insertNewline },
      ...historyKeymap,
      ...defaultKeymap,
    ]),
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({
      'data-query-input': '', 'aria-label': o.label, spellcheck: 'false', autocorrect: 'off', autocapitalize: 'off',
    }),
    placeholderExt('*'),
    EditorView.updateListener.of((u) => { if (u.docChanged) o.onChange(u.state.doc.toString()); }),
  ];
  const view = new EditorView({ parent: o.parent, state: EditorState.create({ doc: o.doc, extensions }) });

  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, selection: { anchor: text.length } });
    },
    showError(pos) {
      const diags: Diagnostic[] = [];
      if (pos) {
        const doc = view.state.doc;
        const line = doc.line(Math.min(Math.max(1, pos.line), doc.lines));
        // At the end of the text (an unterminated string): the last character.
        const from = Math.max(0, Math.min(line.from + Math.max(0, pos.col - 1), doc.length - 1));
        const to = Math.min(from + 1, doc.length);
        diags.push({ from, to, severity: 'error', message: pos.message, markClass: 't-error' });
      }
      view.dispatch(setDiagnostics(view.state, diags));
    },
  };
}
