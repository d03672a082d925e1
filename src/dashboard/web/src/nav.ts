// Client-side navigation: navigate(href) changes the URL (a history entry unless replace) and
// has the shell (app.ts, which registers its render here) draw the page of the new route. A
// module of its own so pages need not import the shell (app.js stays the entry alone).
let renderRoute: () => void = () => {};

export function onNavigate(render: () => void) {
  renderRoute = render;
}

export function navigate(href: string, replace = false) {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  renderRoute();
}
