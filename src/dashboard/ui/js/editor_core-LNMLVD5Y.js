import{A as r,o}from"./chunk-VSKCLQTH.js";export{o as EditorState,r as EditorView};
