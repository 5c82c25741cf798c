/** Hash routes: #/ (what runs where), #/promotions, #/releases?… (history), #/releases/<id> (one release). */
export type Route =
  | { view: 'board' }
  | { view: 'promotions' }
  | { view: 'history'; query: URLSearchParams }
  | { view: 'release'; id: string }
  | { view: 'missing'; path: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = raw.split('?');
  // #key=… is the key handed over by npm start's URL (taken out of the address bar at once).
  if (path === '/' || path === '' || path.startsWith('key=')) return { view: 'board' };
  if (path === '/releases') return { view: 'history', query: new URLSearchParams(search) };
  if (path === '/promotions') return { view: 'promotions' };
  const m = /^\/releases\/(r-[0-9a-z]{1,12}-[0-9a-f]{6})$/.exec(path);
  return m?.[1] ? { view: 'release', id: m[1] } : { view: 'missing', path };
}

export const releaseHref = (id: string): string => `#/releases/${id}`;
export const historyHref = (q: Record<string, string | undefined>): string => {
  const p = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => Boolean(e[1])));
  const s = p.toString();
  return `#/releases${s ? `?${s}` : ''}`;
};
