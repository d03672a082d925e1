import{a,b,c,d,e,f}from"./chunk-UTAB6IF3.js";import"./chunk-6LJFMWW5.js";export{a as LEVELS,c as histogram,b as levelColor,d as lineChart,e as sparkPath,f as sparkline};
