/**
 * A port whose adapter (and its SDK) is loaded on first use. Every port method returns a promise,
 * so a call can wait for the module; the function app's cold start pays for none of it.
 */
export function lazyPort<T extends object>(load: () => Promise<T>): T {
  let loaded: Promise<T> | undefined;
  return new Proxy({} as T, {
    get(_target, name) {
      return (...args: unknown[]) => {
        loaded ??= load();
        return loaded.then((port) => (port[name as keyof T] as (...a: unknown[]) => unknown).apply(port, args));
      };
    },
  });
}
