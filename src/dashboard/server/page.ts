/**
 * The dashboard's HTML shell: no data and no secrets in it, only where its two assets are and who
 * App Service Authentication says is signed in. Everything else the page reads from the public
 * API with the caller's function key.
 */
import type { Asset } from './assets.js';

const escapeAttr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** No inline script or style anywhere: the page, its module and its stylesheet come from this origin only. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function renderPage(assets: { js: Asset; css: Asset }, principal: string | undefined): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Tailspin Deployer</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="dashboard/app.css?v=${assets.css.hash}">
<script type="module" src="dashboard/app.js?v=${assets.js.hash}"></script>
</head>
<body data-principal="${escapeAttr(principal ?? '')}">
<noscript>The dashboard needs JavaScript. The same data: GET /api/environments and /api/deployments with a function key.</noscript>
<div id="app"></div>
</body>
</html>
`;
}
