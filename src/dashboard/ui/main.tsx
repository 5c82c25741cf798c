/** The dashboard: a header, one of three views, and the dialog every action goes through. */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { keyStore, takeKeyFromFragment } from './api.js';
import { useRoute } from './use-route.js';
import { Board } from './views/board.js';
import { History } from './views/history.js';
import { Promotions } from './views/promotions.js';
import { ReleaseDetail } from './views/release.js';
import { KeyForm } from './views/key-form.js';
import { ActionDialog, type ActionRequest } from './views/action-dialog.js';

function Identity({ principal }: { principal: string }) {
  if (principal)
    return (
      <span class="who">
        Signed in as <strong>{principal}</strong>
      </span>
    );
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(location.hostname);
  return local ? (
    <span class="who">Local host: actions are recorded without a person</span>
  ) : (
    <a class="who" href={`/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(location.pathname)}`}>
      Sign in with Entra ID
    </a>
  );
}

function App({ principal }: { principal: string }) {
  const route = useRoute();
  const [hasKey, setHasKey] = useState(() => keyStore.get() !== null);
  const [action, setAction] = useState<ActionRequest | null>(null);
  const main = useRef<HTMLElement>(null);
  // A URL with #key=… pasted into an open tab arrives as a hash change, not a load.
  useEffect(() => {
    const on = () => {
      takeKeyFromFragment(location, sessionStorage, history);
      setHasKey(keyStore.get() !== null);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  // A new view moves focus to its heading, as a page load would for a screen reader.
  useEffect(() => main.current?.querySelector('h1')?.focus(), [route]);
  const onUnauthorized = () => {
    keyStore.clear();
    setHasKey(false);
  };
  const view = !hasKey ? (
    <KeyForm onKey={() => setHasKey(true)} />
  ) : route.view === 'board' ? (
    <Board onAction={setAction} onUnauthorized={onUnauthorized} />
  ) : route.view === 'promotions' ? (
    <Promotions onUnauthorized={onUnauthorized} />
  ) : route.view === 'history' ? (
    <History query={route.query} onUnauthorized={onUnauthorized} />
  ) : route.view === 'release' ? (
    <ReleaseDetail id={route.id} onAction={setAction} onUnauthorized={onUnauthorized} />
  ) : (
    <h1 tabIndex={-1}>Nothing at {route.path}</h1>
  );
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Tailspin Deployer</span>
        <nav aria-label="Views">
          <a href="#/" aria-current={route.view === 'board' ? 'page' : undefined}>
            What runs where
          </a>
          <a href="#/promotions" aria-current={route.view === 'promotions' ? 'page' : undefined}>
            Promotions
          </a>
          <a href="#/releases" aria-current={route.view === 'history' ? 'page' : undefined}>
            Releases
          </a>
        </nav>
        <Identity principal={principal} />
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {view}
      </main>
      {action && <ActionDialog request={action} principal={principal} onClose={() => setAction(null)} />}
    </>
  );
}

takeKeyFromFragment(location, sessionStorage, history);
const root = document.getElementById('app');
if (root) render(<App principal={document.body.dataset.principal ?? ''} />, root);
