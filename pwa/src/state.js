// One small observable state object for the whole app; components read it through
// useApp() and re-render when it changes. No framework store needed at this size.
import { useEffect, useState } from 'preact/hooks';

/** sameData is true when two JSON values are equal (keeps identity, avoids renders). */
export function sameData(a, b) {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

export function createState(initial) {
  let state = initial;
  const listeners = new Set();
  return {
    get: () => state,
    // Renders only when something changed; quiet updates (e.g. a timestamp nobody
    // shows right now) are stored without re-rendering.
    set(patch, { quiet = false } = {}) {
      const p = typeof patch === 'function' ? patch(state) : patch;
      if (Object.keys(p).every((k) => state[k] === p[k])) return;
      state = { ...state, ...p };
      if (!quiet) for (const l of listeners) l(state);
    },
    subscribe(l) { listeners.add(l); return () => listeners.delete(l); },
  };
}

/** useStateOf re-renders the component whenever the shared state changes. */
export function useStateOf(store) {
  const [s, setS] = useState(store.get());
  useEffect(() => store.subscribe(setS), [store]);
  return s;
}
