/** Asked once per tab when the page has no function key (npm start prints a URL that carries it). */
import { useState } from 'preact/hooks';
import { keyStore } from '../api.js';

export function KeyForm({ onKey }: { onKey: () => void }) {
  const [key, setKey] = useState('');
  return (
    <form
      class="card narrow"
      onSubmit={(e) => {
        e.preventDefault();
        if (!key.trim()) return;
        keyStore.set(key.trim());
        onKey();
      }}
    >
      <h1 tabIndex={-1}>Function key</h1>
      <p>
        The dashboard reads and acts through the deployer's API, which needs a function key. It is kept in this tab only (session storage)
        and sent as <code>x-functions-key</code> to this origin.
      </p>
      <label for="key">Function key</label>
      <input id="key" type="password" autoComplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} required />
      <button type="submit">Use this key</button>
    </form>
  );
}
