/**
 * Live data without reloads: ask again every interval with the last ETag; a 304 costs no parsing
 * and no re-render. Paused while the tab is hidden, resumed (at once) when it shows again.
 */
import { useEffect, useState } from 'preact/hooks';
import { get } from './api.js';

export interface Polled<T> {
  data?: T;
  error?: { status: number; message: string };
  /** When the server last answered (200 or 304). */
  at?: number;
}

export const POLL_MS = 2000;

export function usePoll<T>(path: string | null, intervalMs = POLL_MS): Polled<T> {
  const [state, setState] = useState<Polled<T>>({});
  useEffect(() => {
    setState({});
    if (path === null) return;
    let etag: string | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let busy = false;
    const tick = async () => {
      timer = undefined;
      if (document.hidden || busy) return;
      busy = true;
      const r = await get<T>(path, etag);
      busy = false;
      if (stopped) return;
      if (r.kind === 'ok') {
        etag = r.etag;
        setState({ data: r.data, at: Date.now() });
      } else if (r.kind === 'same') setState((s) => ({ ...s, at: Date.now() }));
      else setState((s) => ({ ...s, error: { status: r.status, message: r.message } }));
      timer = setTimeout(() => void tick(), intervalMs);
    };
    const onVisible = () => {
      if (!document.hidden && timer === undefined) void tick();
    };
    document.addEventListener('visibilitychange', onVisible);
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [path, intervalMs]);
  return state;
}
