// The first part of the VQL editor's code: CodeMirror's state and view, which the search page
// imports (and the browser evaluates) a task before editor.ts. esbuild puts the modules both
// graphs share into a chunk of their own, evaluated with this one, so editor.ts's import then
// evaluates only the rest (language, highlighting, commands, autocompletion, lint): CodeMirror's
// ~340 KB of script in two tasks rather than one over 50 ms (docs/dashboard.md, "The page-load
// tasks"). Nothing is run here; the exports only keep the modules in this graph.
export { EditorState } from '@codemirror/state';
export { EditorView } from '@codemirror/view';
