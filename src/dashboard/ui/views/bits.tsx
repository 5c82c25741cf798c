/** Small pieces every view uses: a phase badge, a relative time, a live status line, an error box. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ago, label, tone } from '../format.js';
import type { Polled } from '../poll.js';

export const Phase = ({ phase }: { phase: string }) => <span class={`badge ${tone(phase)}`}>{label(phase)}</span>;

/** Re-renders every few seconds so "12 s ago" stays true between polls. */
export function useNow(everyMs = 5000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

export function When({ at, now }: { at: string | undefined; now: number }) {
  return at ? (
    <time dateTime={at} title={new Date(at).toLocaleString()}>
      {ago(at, now)}
    </time>
  ) : (
    <span>—</span>
  );
}

/** "Live · updated 3 s ago", or what went wrong; 401 sends the person back to the key form. */
export function LiveStatus<T>({ polled, onUnauthorized }: { polled: Polled<T>; onUnauthorized: () => void }) {
  const now = useNow(1000);
  useEffect(() => {
    if (polled.error?.status === 401) onUnauthorized();
  }, [polled.error?.status]);
  if (polled.error)
    return (
      <p class="status error" role="alert">
        Could not refresh: {polled.error.message}
      </p>
    );
  if (!polled.at) return <p class="status">Loading…</p>;
  return <p class="status">Live · checked {Math.max(0, Math.round((now - polled.at) / 1000))} s ago</p>;
}

export const Section = ({ title, id, children }: { title: string; id: string; children: ComponentChildren }) => (
  <section aria-labelledby={id} class="card">
    <h2 id={id}>{title}</h2>
    {children}
  </section>
);

/** A table that may be wider than the screen: scrollable by keyboard too. */
export const Wide = ({ label: name, children }: { label: string; children: ComponentChildren }) => (
  <div class="wide" role="region" aria-label={name} tabIndex={0}>
    {children}
  </div>
);
