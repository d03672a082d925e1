var e=()=>{};function n(t){e=t}function o(t,i=!1){i?history.replaceState(null,"",t):history.pushState(null,"",t),e()}export{n as a,o as b};
